/**
 * What the SQL editor's completion offers, and in which order (issue 13,
 * finding 6): the user's tables, their columns and the notebook's parameters
 * first, then SQL keywords, then the engine's functions, with DuckDB's
 * catalog internals (duckdb_secrets(), col_description(), pragma_*, the
 * pg_catalog compatibility macros…) left out. Pure, so it is tested without
 * an editor; renderer/ui/sqlEditor.ts maps the entries to monaco's items.
 */

/** One column of a table, as the engine's catalog describes it. */
export interface CompletionColumn {
  name: string;
  type: string;
}

/** What completion draws from: the session's catalogue, refreshed after runs. */
export interface CompletionCatalog {
  /** The user's tables and views (the app's own staging tables already left out). */
  tables: { name: string; columns: CompletionColumn[] }[];
  /** The notebook's parameter names, without the `$`. */
  params: string[];
  /** The engine's function names (filter them with `isUserFunction`). */
  functions: string[];
}

/** What an entry is; decides its group (see GROUP) and its icon. */
export type CompletionKind = 'table' | 'column' | 'param' | 'keyword' | 'function';

/** One suggestion, ready to become a monaco CompletionItem. */
export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  insertText: string;
  /** What the typed word is matched against when it differs from the label (`$name` matched by `name`). */
  filterText?: string;
  detail: string;
  /**
   * Orders entries the editor scores alike (e.g. every name that starts with
   * the typed prefix): the group's digit first, so the user's names come
   * before keywords and functions.
   */
  sortText: string;
}

/** Where the cursor is: after `$`, after `name.`, or anywhere else. */
export type CompletionContext = { at: 'param' } | { at: 'member'; of: string } | { at: 'word' };

/** Group digits for sortText: the user's names, then the language, then the engine's library. */
const GROUP: Record<CompletionKind, string> = { table: '0', column: '1', param: '2', keyword: '3', function: '4' };

/**
 * The clauses and operators people type in a SELECT (DuckDB's dialect),
 * upper-case as the notebooks write them. Not duckdb_keywords(): it lists
 * some 500 grammar words (`absolute`, `placing`, …) that would bury these.
 */
export const SQL_KEYWORDS: readonly string[] = [
  'SELECT', 'FROM', 'WHERE', 'GROUP BY', 'ORDER BY', 'HAVING', 'QUALIFY', 'LIMIT', 'OFFSET', 'WITH', 'AS', 'DISTINCT',
  'JOIN', 'LEFT JOIN', 'INNER JOIN', 'FULL JOIN', 'CROSS JOIN', 'ASOF JOIN', 'ON', 'USING',
  'UNION ALL', 'UNION', 'EXCEPT', 'INTERSECT', 'AND', 'OR', 'NOT', 'IN', 'IS NULL', 'IS NOT NULL', 'NULL', 'BETWEEN',
  'LIKE', 'ILIKE', 'EXISTS', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'CAST', 'TRUE', 'FALSE', 'ASC', 'DESC', 'NULLS LAST',
  'OVER', 'PARTITION BY', 'WINDOW', 'FILTER', 'INTERVAL', 'CREATE OR REPLACE TABLE', 'CREATE OR REPLACE VIEW',
  'PIVOT', 'UNPIVOT', 'DESCRIBE', 'SUMMARIZE',
];

/**
 * DuckDB functions that are the engine's own plumbing, not SQL a user
 * writes in an attribution notebook: catalog and settings table functions
 * (duckdb_*, pragma_*), PostgreSQL compatibility macros (pg_*, col_description,
 * has_*_privilege, …), test generators and engine switches.
 */
const INTERNAL_FUNCTION = new RegExp('^(?:' + [
  'duckdb_', 'pragma_', 'pg_', 'has_\\w*_privilege$', 'test_', 'enable_', 'disable_', 'arrow_scan', 'inet_(?:client|server)_',
  'parse_duckdb_', '(?:col|obj|shobj)_description$', 'format_(?:pg_)?type$', 'map_to_pg_oid$', '(?:force_)?checkpoint$', 'check_peg_parser$',
  'json_execute_serialized_sql$', 'sql_auto_complete$', 'truncate_duckdb_logs$', 'which_secret$', 'seq_scan$',
  'current_(?:query|query_id|transaction_id|connection_id|role|user|schemas?|catalog|database|setting)$', 'session_user$', 'user$',
].join('|') + ')');

/** Whether a function name is worth offering: a plain identifier, not one of DuckDB's internals (INTERNAL_FUNCTION). */
export function isUserFunction(name: string): boolean {
  return /^[a-z][a-z0-9_]*$/.test(name) && !INTERNAL_FUNCTION.test(name);
}

/**
 * The table an alias or name stands for in `sql`: the name itself when it is a
 * table, else the table of `FROM t alias` / `JOIN t AS alias`; undefined when
 * neither (case-insensitive, like SQL's unquoted names).
 */
export function tableOf(sql: string, name: string, tables: readonly { name: string }[]): string | undefined {
  const lower = name.toLowerCase();
  const direct = tables.find((t) => t.name.toLowerCase() === lower);
  if (direct) return direct.name;
  const ref = /\b(?:from|join)\s+"?([A-Za-z_][\w]*)"?\s+(?:as\s+)?"?([A-Za-z_][\w]*)"?/gi;
  for (let m = ref.exec(sql); m; m = ref.exec(sql)) {
    if (m[2].toLowerCase() !== lower) continue;
    const t = tables.find((x) => x.name.toLowerCase() === m![1].toLowerCase());
    if (t) return t.name;
  }
  return undefined;
}

/** "a, b, c" or "a, b +3": which tables a column is in, short enough for the detail column. */
function listed(names: string[], max = 2): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} +${names.length - max}`;
}

/**
 * The suggestions for a cursor in `context`, in their intended order (the
 * editor sorts by match quality first, then by sortText). After `$`: the
 * parameters. After `x.`: the columns of table (or alias) x, or nothing when x
 * is unknown (`sql` resolves aliases). Elsewhere: tables, columns (once per
 * name, with the tables that have it), `$parameters`, keywords, then the
 * functions that pass isUserFunction.
 */
export function completionEntries(catalog: CompletionCatalog, context: CompletionContext, sql = ''): CompletionEntry[] {
  const param = (p: string, withDollar: boolean): CompletionEntry => ({
    label: withDollar ? `$${p}` : p, kind: 'param', insertText: withDollar ? `$${p}` : p, filterText: withDollar ? p : undefined,
    detail: 'notebook parameter', sortText: `${GROUP.param}${p}`,
  });
  if (context.at === 'param') return catalog.params.map((p) => param(p, false));
  if (context.at === 'member') {
    const name = tableOf(sql, context.of, catalog.tables);
    const table = catalog.tables.find((t) => t.name === name);
    // in the table's own column order, which is the order people think of them in
    return (table?.columns ?? []).map((c, i) => ({ label: c.name, kind: 'column', insertText: c.name, detail: c.type, sortText: `${GROUP.column}${String(i).padStart(4, '0')}` }));
  }
  const columns = new Map<string, { types: Set<string>; tables: string[] }>();
  for (const t of catalog.tables) {
    for (const c of t.columns) {
      const seen = columns.get(c.name) ?? { types: new Set<string>(), tables: [] };
      seen.types.add(c.type);
      seen.tables.push(t.name);
      columns.set(c.name, seen);
    }
  }
  const keywords = new Set(SQL_KEYWORDS.map((k) => k.toLowerCase()));
  return [
    ...catalog.tables.map((t): CompletionEntry => ({
      label: t.name, kind: 'table', insertText: t.name, detail: `table · ${t.columns.length} column${t.columns.length === 1 ? '' : 's'}`, sortText: `${GROUP.table}${t.name}`,
    })),
    ...[...columns].map(([name, c]): CompletionEntry => ({
      label: name, kind: 'column', insertText: name, detail: `${c.types.size === 1 ? [...c.types][0] : 'column'} · ${listed(c.tables)}`, sortText: `${GROUP.column}${name}`,
    })),
    ...catalog.params.map((p) => param(p, true)),
    ...SQL_KEYWORDS.map((k): CompletionEntry => ({ label: k, kind: 'keyword', insertText: k, detail: 'keyword', sortText: `${GROUP.keyword}${k.toLowerCase()}` })),
    // a function named like a keyword (`filter`, `exists`) would repeat it
    ...[...new Set(catalog.functions)].filter((f) => isUserFunction(f) && !keywords.has(f)).map((f): CompletionEntry => ({
      label: f, kind: 'function', insertText: f, detail: 'function', sortText: `${GROUP.function}${f}`,
    })),
  ];
}
