/**
 * What an SQL cell refers to, for the notebook's reactivity: the tables after
 * FROM / JOIN (and in comma lists of FROM), every identifier (so a defined
 * name used anywhere counts: generous on purpose, as a missed dependency
 * shows stale results while an extra one only re-runs a cell), and the `$name`
 * parameters. A small tokenizer, not a parser: strings ('...', E'...',
 * $$...$$, $tag$...$tag$), quoted identifiers ("..."), -- and block comments
 * are skipped so names inside them do not count.
 */

/** What {@link sqlReferences} finds; names are lower-case (SQL identifiers are case-insensitive). */
export interface SqlRefs {
  /** Tables read after FROM, JOIN or a comma of a FROM list (last part of a qualified name), CTE names excluded, first-seen order. */
  tables: string[];
  /** Every identifier not after a dot, first-seen order. */
  identifiers: string[];
  /** `$name` parameters, case kept (the binder is case-sensitive), first-seen order. */
  params: string[];
}

type Token =
  /** `quoted`: written "like this", so never a keyword. */
  | { t: 'ident'; v: string; quoted?: boolean }
  | { t: 'param'; v: string }
  | { t: 'punct'; v: '(' | ')' | ',' | '.' | ';' }
  | { t: 'other' };

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_$]/u;

/** Splits SQL into the tokens the reference finder needs; strings, numbers and operators become `other`. */
function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  /** Index after the closing `close` from `from`, or the end when it is missing. */
  const skipTo = (close: string, from: number) => {
    const end = sql.indexOf(close, from);
    return end < 0 ? n : end + close.length;
  };
  /** End of a quoted run with doubled-quote escapes ('it''s', "a""b"); backslash escapes too for E'...'. */
  const quoted = (q: string, from: number, backslash: boolean) => {
    let j = from;
    while (j < n) {
      if (backslash && sql[j] === '\\') j += 2;
      else if (sql[j] === q) {
        if (sql[j + 1] === q) j += 2;
        else return j + 1;
      } else j++;
    }
    return n;
  };
  while (i < n) {
    const ch = sql[i];
    if (/\s/.test(ch)) i++;
    else if (ch === '-' && sql[i + 1] === '-') i = skipTo('\n', i);
    else if (ch === '/' && sql[i + 1] === '*') i = skipTo('*/', i + 2);
    else if (ch === "'") {
      i = quoted("'", i + 1, false);
      out.push({ t: 'other' });
    } else if (ch === '"') {
      const end = quoted('"', i + 1, false);
      out.push({ t: 'ident', v: sql.slice(i + 1, end - 1).replace(/""/g, '"').toLowerCase(), quoted: true });
      i = end;
    } else if (ch === '$') {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1, i + 130))?.[0];
      if (sql[i + 1] === '$') i = skipTo('$$', i + 2);
      else if (name && sql[i + 1 + name.length] === '$') i = skipTo(`$${name}$`, i + name.length + 2);
      else if (name) {
        out.push({ t: 'param', v: name });
        i += 1 + name.length;
      } else {
        // $1 (positional) or a stray $
        i++;
        while (i < n && /[0-9]/.test(sql[i])) i++;
        out.push({ t: 'other' });
      }
    } else if (IDENT_START.test(ch)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(sql[j])) j++;
      const word = sql.slice(i, j);
      if ((word === 'e' || word === 'E') && sql[j] === "'") {
        i = quoted("'", j + 1, true);
        out.push({ t: 'other' });
      } else {
        out.push({ t: 'ident', v: word.toLowerCase() });
        i = j;
      }
    } else if (ch === '(' || ch === ')' || ch === ',' || ch === '.' || ch === ';') {
      // A dot inside a number (1.5) is part of the number, not a qualifier.
      if (ch === '.' && /[0-9]/.test(sql[i + 1] ?? '') && !/[\p{L}\p{N}_"]/u.test(sql[i - 1] ?? '')) {
        i++;
        while (i < n && /[0-9eE]/.test(sql[i])) i++;
        out.push({ t: 'other' });
      } else {
        out.push({ t: 'punct', v: ch });
        i++;
      }
    } else if (/[0-9]/.test(ch)) {
      i++;
      while (i < n && /[0-9.eE_]/.test(sql[i])) i++;
      out.push({ t: 'other' });
    } else {
      out.push({ t: 'other' });
      i++;
    }
  }
  return out;
}

/** Keywords that end a FROM clause at their nesting level. */
const FROM_ENDS = new Set(['where', 'group', 'having', 'qualify', 'window', 'order', 'limit', 'offset', 'union', 'intersect', 'except', 'select', 'returning', 'fetch']);
/** Words that may stand between FROM/JOIN and the table. */
const TABLE_PREFIXES = new Set(['lateral', 'only']);
/** First words of a query: a parenthesis starting with one is a subquery, others are calls or lists (EXTRACT(x FROM y) is no table). */
const QUERY_STARTS = new Set(['select', 'with', 'from', 'values', 'table', 'pivot', 'unpivot', 'summarize', 'describe']);

/** One parenthesis level (the top level is a query). */
interface Level {
  query: boolean;
  /** No token seen yet inside the parenthesis. */
  fresh: boolean;
  inFrom: boolean;
  inWith: boolean;
}

const isPunct = (t: Token | undefined, v: string) => t?.t === 'punct' && t.v === v;
const isWord = (t: Token | undefined, v: string) => t?.t === 'ident' && t.v === v;

/** Tables, identifiers and `$params` an SQL text refers to (see {@link SqlRefs}). */
export function sqlReferences(sql: string): SqlRefs {
  const toks = tokenize(sql);
  const tables: string[] = [];
  const identifiers: string[] = [];
  const params: string[] = [];
  const ctes = new Set<string>();
  const add = (list: string[], v: string) => {
    if (!list.includes(v)) list.push(v);
  };
  const top = (): Level => ({ query: true, fresh: false, inFrom: false, inWith: false });
  const levels: Level[] = [top()];
  let expectTable = false;
  let expectCte = false;
  for (let k = 0; k < toks.length; k++) {
    const tok = toks[k];
    const lv = levels[levels.length - 1];
    if (lv.fresh) {
      lv.fresh = false;
      lv.query = tok.t === 'ident' && !tok.quoted && QUERY_STARTS.has(tok.v);
    }
    if (tok.t === 'param') {
      add(params, tok.v);
      expectTable = false;
    } else if (tok.t === 'punct') {
      if (tok.v === '(') {
        levels.push({ query: false, fresh: true, inFrom: false, inWith: false });
        expectTable = expectCte = false;
      } else if (tok.v === ')') {
        if (levels.length > 1) levels.pop();
      } else if (tok.v === ',') {
        expectTable = lv.inFrom;
        expectCte = lv.inWith;
      } else if (tok.v === ';') {
        levels.length = 0;
        levels.push(top());
        expectTable = expectCte = false;
      }
    } else if (tok.t === 'other') {
      expectTable = false;
    } else {
      const afterDot = isPunct(toks[k - 1], '.');
      if (!afterDot) add(identifiers, tok.v);
      if (expectCte) {
        // WITH RECURSIVE name: the name comes after RECURSIVE.
        if (!(tok.v === 'recursive' && isWord(toks[k - 1], 'with'))) {
          ctes.add(tok.v);
          expectCte = false;
        }
      } else if (afterDot || !lv.query || (tok.quoted && !expectTable)) {
        // a column of a qualified name, a word inside a call (EXTRACT(year FROM ts) reads no table), or a quoted name ("from" is no keyword)
      } else if (tok.v === 'with') {
        lv.inWith = expectCte = true;
      } else if (tok.v === 'from') {
        lv.inFrom = expectTable = true;
        lv.inWith = false;
      } else if (tok.v === 'join') {
        expectTable = true;
      } else if (FROM_ENDS.has(tok.v)) {
        lv.inFrom = expectTable = false;
        if (tok.v === 'select') lv.inWith = false;
      } else if (expectTable && !TABLE_PREFIXES.has(tok.v)) {
        expectTable = false;
        // A qualified name (db.schema.table): the table is its last part.
        let j = k;
        while (isPunct(toks[j + 1], '.') && toks[j + 2]?.t === 'ident') j += 2;
        // FROM read_parquet(...) is a table function, not a table.
        if (!isPunct(toks[j + 1], '(')) add(tables, (toks[j] as { v: string }).v);
      }
    }
  }
  return { tables: tables.filter((t) => !ctes.has(t)), identifiers, params };
}
