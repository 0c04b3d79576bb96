/**
 * The notebook on disk: a Markdown file (`*.attrib.md`), plain text, readable
 * and diffable without the app.
 *
 *     ---
 *     format: attribution-notebook/1
 *     title: Attribution overview
 *     ---
 *
 *     ```markdown id=c1
 *     # Notes
 *     ```
 *
 *     ```sql id=c3 name=top_channels
 *     SELECT channel, sum(attributed_conversions) AS conversions FROM channel_summary WHERE model = $model GROUP BY 1
 *     ```
 *
 *     ```chart id=c4
 *     {
 *       "from": "top_channels",
 *       ...
 *     }
 *     ```
 *
 * Canonical text, which {@link serializeNotebook} writes and which parses and
 * writes back byte for byte:
 * - LF line ends and a final newline; the front matter holds `format` then
 *   `title` (plain, or JSON-quoted when it has quotes, leading/trailing
 *   spaces, control characters or YAML-special text such as ": ").
 * - One blank line before each cell. Each cell is a fenced block whose fence
 *   line holds the kind and `id=` (sql cells also `name=`); the fence is three
 *   backticks, or one more than the longest run of backticks that starts a
 *   body line, so any body round-trips.
 * - markdown and sql bodies are the source verbatim (line ends written as
 *   LF; an empty source is a block with no body line). chart, param, model
 *   and data bodies are the cell's other fields as JSON, 2-space indent, keys
 *   in the order of FIELD_ORDER (common/notebook/cellJson.ts).
 * Versions: fields added within version 1 (a data cell's morePaths and
 * conversionPaths, options.conversionFlag and options.conversionsMap) are
 * optional and written only when set, so a notebook that does not use them is
 * byte for byte what an older version wrote; an older version reading one
 * that does warns that it ignores the field. A change that an older reader
 * would misread silently needs attribution-notebook/2 (opened read-only there).
 * Reading is more forgiving: CRLF or CR line ends, a BOM, Markdown text
 * between cells (kept as a markdown cell, with a warning), cells without ids
 * (given new ones, with a warning).
 */
import { NOTEBOOK_FORMAT, type Cell, type DataCell, type Notebook } from './types.ts';
import { CELL_ID_RE, newCellId } from './ids.ts';
import { isAbsolutePath } from './dataPaths.ts';
import { cellJsonObject, dropUndefined, FieldError, PARAM_NAME_RE, readCellJson, TABLE_NAME_RE, type JsonCellKind } from './cellJson.ts';

export { newCellId } from './ids.ts';
export { relativeDataPath, resolveDataPath, isAbsolutePath } from './dataPaths.ts';

/** What {@link parseNotebook} returns. */
export interface ParsedNotebook {
  notebook: Notebook;
  /** A newer format version: show it, but do not save over it. */
  readOnly: boolean;
  /** One line each, `file:line: what`, for things read but not as written (e.g. an absolute data path). */
  warnings: string[];
}

/** A file that cannot be read as a notebook; the message is one line, `file:line: what is wrong`. */
export class NotebookFormatError extends Error {
  override name = 'NotebookFormatError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

const KINDS = ['markdown', 'sql', 'chart', 'param', 'model', 'data'] as const;
const FORMAT_RE = /^attribution-notebook\/(\d+)$/;
/** A closing fence: up to 3 spaces, backticks, optional trailing blanks (CommonMark's rule). */
const CLOSE_RE = /^ {0,3}(`{3,})[ \t]*$/;

/** CRLF and lone CR become LF: the only line end of the format. */
export function normaliseNewlines(s: string): string {
  return s.replace(/\r\n?/g, '\n');
}

/** The fence for a body: three backticks, or one more than the longest run of backticks opening any of its lines. */
export function fenceFor(body: string): string {
  let longest = 0;
  for (const m of body.matchAll(/^ {0,3}(`+)/gm)) longest = Math.max(longest, m[1].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** A title as written in the front matter: plain when that reads back the same in YAML too, else JSON-quoted. */
function titleText(title: string): string {
  const plain =
    /^[\p{L}\p{N}]/u.test(title) &&
    !/[\u0000-\u001f\u007f\u2028\u2029"]/.test(title) &&
    !/: |:$| #|\s$/.test(title);
  return plain ? title : escapeSeparators(JSON.stringify(title));
}

/** One cell block as found in the file, before its fields are checked. */
interface Block {
  kind: string;
  attrs: Map<string, string>;
  body: string;
  /** 1-based line of the opening fence (or of the first line of text outside cells). */
  line: number;
  /** Text outside any fence, kept as a markdown cell. */
  outside?: boolean;
}

/**
 * Reads a notebook file. Throws {@link NotebookFormatError} (one line naming
 * `fileName`, the line and what is wrong) for a file it cannot read: no or an
 * unknown format, an unknown cell kind, bad JSON or fields, an unclosed
 * block, a cell id or result name used twice. A newer format version
 * (attribution-notebook/2 and up) is read as far as this version
 * understands it, with `readOnly` set and a warning; cells it cannot read are
 * then skipped with a warning instead of failing the file.
 */
export function parseNotebook(text: string, fileName: string): ParsedNotebook {
  const warnings: string[] = [];
  const fail = (line: number, reason: string): never => {
    throw new NotebookFormatError(fileName, line, reason);
  };
  const warn = (line: number, what: string) => warnings.push(`${fileName}:${line}: ${what}`);
  const lines = normaliseNewlines(text.replace(/^\uFEFF/, '')).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();

  // Front matter: `key: value` lines between two `---` lines.
  if (lines[0]?.trimEnd() !== '---') fail(1, `the file must start with front matter: a '---' line, 'format: ${NOTEBOOK_FORMAT}', '---'`);
  const front = new Map<string, { value: string; line: number }>();
  let i = 1;
  for (; i < lines.length && lines[i].trimEnd() !== '---'; i++) {
    const line = lines[i];
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const m = /^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*)$/s.exec(line);
    if (!m) fail(i + 1, `cannot read the front matter line '${clip(line)}' (expected key: value)`);
    const [, key, value] = m!;
    const seen = front.get(key);
    if (seen) fail(i + 1, `front matter key '${key}' is given twice (first at line ${seen.line})`);
    front.set(key, { value: value.trim(), line: i + 1 });
  }
  if (i >= lines.length) fail(1, 'the front matter is never closed (expected a second --- line)');
  const bodyStart = i + 1;

  const format = front.get('format');
  if (!format) fail(1, `the front matter has no format (expected 'format: ${NOTEBOOK_FORMAT}')`);
  const formatValue = frontScalar(format!.value, format!.line, fail);
  const version = Number(FORMAT_RE.exec(formatValue)?.[1] ?? NaN);
  if (!(version >= 1)) fail(format!.line, `unknown format '${clip(formatValue)}' (expected ${NOTEBOOK_FORMAT})`);
  const readOnly = version > 1;
  if (readOnly) warn(format!.line, `${formatValue} is newer than this version reads (${NOTEBOOK_FORMAT}): opened read-only`);
  const titleEntry = front.get('title');
  const title = titleEntry ? frontScalar(titleEntry.value, titleEntry.line, fail) : '';
  for (const [key, { line }] of front) if (key !== 'format' && key !== 'title') warn(line, `front matter key '${key}' is not used and will not be saved`);

  const blocks = readBlocks(lines, bodyStart, fail);
  const cells = buildCells(blocks, fileName, readOnly, fail, warn);
  return { notebook: { format: NOTEBOOK_FORMAT, title, cells }, readOnly, warnings };
}

/** A front-matter value: JSON-quoted, YAML single-quoted or plain. */
function frontScalar(value: string, line: number, fail: (line: number, reason: string) => never): string {
  if (value.startsWith('"')) {
    try {
      const v: unknown = JSON.parse(value);
      if (typeof v === 'string') return v;
    } catch {
      // reported below
    }
    return fail(line, `cannot read the quoted value ${clip(value)}`);
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1).replace(/''/g, "'");
  return value;
}

/** Splits the text after the front matter into fenced blocks and runs of text between them. */
function readBlocks(lines: string[], start: number, fail: (line: number, reason: string) => never): Block[] {
  const blocks: Block[] = [];
  let outside: { line: number; lines: string[] } | null = null;
  const flush = () => {
    if (!outside) return;
    while (outside.lines.length && !outside.lines[outside.lines.length - 1].trim()) outside.lines.pop();
    blocks.push({ kind: 'markdown', attrs: new Map(), body: outside.lines.join('\n'), line: outside.line, outside: true });
    outside = null;
  };
  for (let j = start; j < lines.length; j++) {
    const line = lines[j];
    // An opening fence: three or more backticks at the line start, an info string without backticks.
    const open = /^(`{3,})([^`]*)$/.exec(line);
    if (!open) {
      if (outside || line.trim()) (outside ??= { line: j + 1, lines: [] }).lines.push(line);
      continue;
    }
    flush();
    const fence = open[1];
    const [kind = '', ...tokens] = open[2].trim().split(/\s+/).filter(Boolean);
    let k = j + 1;
    while (k < lines.length && !((CLOSE_RE.exec(lines[k])?.[1].length ?? 0) >= fence.length)) k++;
    if (k >= lines.length) fail(j + 1, `the ${kind ? kind + ' ' : ''}block opened here is never closed (expected a line of ${fence})`);
    const attrs = new Map<string, string>();
    for (const t of tokens) {
      const m = /^([A-Za-z][\w-]*)=(.*)$/s.exec(t);
      if (!m) fail(j + 1, `cannot read '${clip(t)}' on the fence line (expected key=value)`);
      if (attrs.has(m![1])) fail(j + 1, `attribute '${m![1]}' is given twice on the fence line`);
      attrs.set(m![1], m![2]);
    }
    blocks.push({ kind, attrs, body: lines.slice(j + 1, k).join('\n'), line: j + 1 });
    j = k;
  }
  flush();
  return blocks;
}

/** Checks every block and builds the cells: ids, kinds, fields, unique ids and names. */
function buildCells(
  blocks: Block[],
  file: string,
  readOnly: boolean,
  fail: (line: number, reason: string) => never,
  warn: (line: number, what: string) => void,
): Cell[] {
  // Explicit ids first, so generated ones cannot collide with an id further down.
  const idLines = new Map<string, number>();
  for (const b of blocks) {
    const id = b.attrs.get('id');
    if (id === undefined) continue;
    if (!CELL_ID_RE.test(id)) fail(b.line, `cell id '${clip(id)}' must be 1-64 letters, digits, _ or -`);
    const first = idLines.get(id);
    if (first !== undefined) fail(b.line, `cell id '${id}' is used twice (first at line ${first})`);
    idLines.set(id, b.line);
  }
  const ids = [...idLines.keys()];
  const cells: Cell[] = [];
  const names = new Map<string, number>();
  const paramNames = new Map<string, number>();
  for (const b of blocks) {
    if (!(KINDS as readonly string[]).includes(b.kind)) {
      const reason = b.kind
        ? `unknown cell kind '${clip(b.kind)}' (expected ${KINDS.join(', ')})`
        : `a cell block needs a kind after its backticks (${KINDS.join(', ')})`;
      if (readOnly) warn(b.line, `${reason}: the block is skipped`);
      else fail(b.line, reason);
      continue;
    }
    let id = b.attrs.get('id');
    if (id === undefined) {
      id = newCellId(ids);
      ids.push(id);
      warn(b.line, b.outside ? `text outside the cells is kept as markdown cell ${id}` : `the ${b.kind} cell has no id: it is now ${id}`);
    }
    for (const key of b.attrs.keys()) {
      if (key !== 'id' && !(key === 'name' && b.kind === 'sql')) warn(b.line, `attribute '${key}' of ${b.kind} cell ${id} is not used and will not be saved`);
    }
    let cell: Cell;
    try {
      cell = buildCell(b, id, file, warn);
    } catch (e) {
      if (!(e instanceof NotebookFormatError) || !readOnly) throw e;
      warn(e.line, `${e.reason}: the cell is skipped`);
      continue;
    }
    if (cell.kind === 'data') {
      cell.path = checkDataPath(cell, b.line, warn);
      if (cell.morePaths) cell.morePaths = cell.morePaths.map((p) => checkDataPath({ ...cell, path: p } as DataCell, b.line, warn));
      if (cell.conversionPaths) cell.conversionPaths = cell.conversionPaths.map((p) => checkDataPath({ ...cell, path: p } as DataCell, b.line, warn));
    }
    if (cell.kind !== 'markdown' && cell.kind !== 'chart') {
      const seen = cell.kind === 'param' ? paramNames : names;
      const key = cell.name.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        const reason = `${cell.kind === 'param' ? 'parameter' : 'result'} name '${cell.name}' is used twice (first at line ${first})`;
        if (readOnly) warn(b.line, reason);
        else fail(b.line, reason);
      }
      seen.set(key, b.line);
    }
    cells.push(cell);
  }
  return cells;
}

/** One block's cell; throws NotebookFormatError at the line of the problem. */
function buildCell(b: Block, id: string, file: string, warn: (line: number, what: string) => void): Cell {
  const fail = (line: number, reason: string): never => {
    throw new NotebookFormatError(file, line, reason);
  };
  switch (b.kind) {
    case 'markdown':
      return { id, kind: 'markdown', source: b.body };
    case 'sql': {
      const name = b.attrs.get('name');
      if (name === undefined) return fail(b.line, `sql cell ${id} needs name=NAME on its fence line (the name of its result table)`);
      if (!TABLE_NAME_RE.test(name)) return fail(b.line, `sql cell ${id}: name '${clip(name)}' must be an identifier (letters, digits, _; not starting with a digit)`);
      return { id, kind: 'sql', name, source: b.body };
    }
    default: {
      const kind = b.kind as JsonCellKind;
      const where = `${kind} cell ${id}`;
      if (!b.body.trim()) return fail(b.line, `${where}: the body is empty (expected a JSON object of its fields)`);
      let json: unknown;
      try {
        json = JSON.parse(b.body);
      } catch (e) {
        const msg = (e as Error).message;
        const pos = Number(/at position (\d+)/.exec(msg)?.[1] ?? NaN);
        const line = Number.isFinite(pos) ? b.line + 1 + countNewlines(b.body.slice(0, pos)) : b.line;
        // V8 quotes the whole input in some messages: keep the message to one line.
        return fail(line, `${where}: the body is not valid JSON (${msg.replace(/, ".*" is not valid JSON$/s, '').replace(/\s+/g, ' ')})`);
      }
      const cellWarnings: string[] = [];
      let fields: Record<string, unknown>;
      try {
        fields = readCellJson(kind, json, where, cellWarnings);
      } catch (e) {
        if (!(e instanceof FieldError)) throw e;
        return fail(keyLine(b, e.key), e.message);
      }
      for (const w of cellWarnings) warn(b.line, w);
      return dropUndefined({ id, kind, ...fields } as unknown as Cell);
    }
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '\n') n++;
  return n;
}

/** The line of `"key":` in a JSON body, for errors about that field (else the fence line). */
function keyLine(b: Block, key: string | undefined): number {
  if (!key) return b.line;
  const idx = b.body.split('\n').findIndex((l) => l.trimStart().startsWith(JSON.stringify(key) + ':'));
  return idx < 0 ? b.line : b.line + 1 + idx;
}

/** Data paths must be relative with forward slashes; an absolute one is refused (kept as its file name). */
function checkDataPath(cell: DataCell, line: number, warn: (line: number, what: string) => void): string {
  const p = cell.path.replace(/\\/g, '/');
  if (!isAbsolutePath(cell.path)) return p;
  const base = p.slice(p.lastIndexOf('/') + 1);
  warn(line, `data cell ${cell.id}: absolute path '${cell.path}' refused (notebook data paths are relative to the notebook's folder): looking for '${base}' beside the notebook`);
  return base;
}

/**
 * The canonical text of a notebook (see the module doc). Throws when the
 * notebook cannot be written as a file that reads back the same: a bad or
 * repeated cell id, an sql cell name that is not an identifier, an absolute
 * data path, a number that is not finite.
 */
export function serializeNotebook(nb: Notebook): string {
  const out = ['---', `format: ${NOTEBOOK_FORMAT}`, `title: ${titleText(nb.title)}`, '---'];
  const ids = new Set<string>();
  for (const cell of nb.cells) {
    if (!CELL_ID_RE.test(cell.id)) throw new Error(`cannot save: cell id '${cell.id}' must be 1-64 letters, digits, _ or -`);
    if (ids.has(cell.id)) throw new Error(`cannot save: cell id '${cell.id}' is used twice`);
    ids.add(cell.id);
    let info = `${cell.kind} id=${cell.id}`;
    let body: string;
    switch (cell.kind) {
      case 'markdown':
        body = normaliseNewlines(cell.source);
        break;
      case 'sql':
        if (!TABLE_NAME_RE.test(cell.name)) throw new Error(`cannot save: sql cell ${cell.id}: name '${cell.name}' must be an identifier`);
        info += ` name=${cell.name}`;
        body = normaliseNewlines(cell.source);
        break;
      case 'data':
        if (!TABLE_NAME_RE.test(cell.name)) throw new Error(`cannot save: data cell ${cell.id}: name '${cell.name}' must be an identifier`);
        for (const p of [cell.path, ...(cell.morePaths ?? []), ...(cell.conversionPaths ?? [])]) {
          if (isAbsolutePath(p)) throw new Error(`cannot save: data cell ${cell.id}: path '${p}' is absolute (use relativeDataPath)`);
        }
        body = jsonBody({ ...cell, path: cell.path.replace(/\\/g, '/') });
        break;
      case 'param':
        if (!PARAM_NAME_RE.test(cell.name)) throw new Error(`cannot save: param cell ${cell.id}: name '${cell.name}' must be a lower-case identifier`);
        body = jsonBody(cell);
        break;
      case 'chart':
        if (cell.from !== '' && !TABLE_NAME_RE.test(cell.from)) throw new Error(`cannot save: chart cell ${cell.id}: from '${cell.from}' must be an identifier (or empty)`);
        body = jsonBody(cell);
        break;
      case 'model':
        if (!TABLE_NAME_RE.test(cell.name)) throw new Error(`cannot save: model cell ${cell.id}: name '${cell.name}' must be an identifier`);
        body = jsonBody(cell);
        break;
      default:
        return assertNever(cell);
    }
    const fence = fenceFor(body);
    out.push('', fence + info);
    if (body !== '') out.push(body);
    out.push(fence);
  }
  return out.join('\n') + '\n';
}

/**
 * JSON leaves U+2028/U+2029 raw; some editors take them for line breaks and
 * rewrite them, so JSON text in the file escapes them (it reads back the same).
 */
function escapeSeparators(json: string): string {
  return json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function jsonBody(cell: Exclude<Cell, { kind: 'markdown' | 'sql' }>): string {
  return escapeSeparators(JSON.stringify(
    cellJsonObject(cell),
    (key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`cannot save: ${cell.kind} cell ${cell.id}: "${key}" is ${v}, not a number a file can hold`);
      return v;
    },
    2,
  ));
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function assertNever(x: never): never {
  throw new Error(`unexpected cell ${JSON.stringify(x)}`);
}
