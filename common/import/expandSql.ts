/**
 * Layout expansion for Parquet: the same {@link Expansion} as expand.ts, in
 * core SQL over the file's structs and lists (struct field access and
 * `list_filter` with a lambda; no JSON extension, which duckdb-wasm lacks
 * offline). Both engines receive nested Parquet columns as DuckDB STRUCT and
 * LIST (native read_parquet; parquet-wasm's Arrow in wasm), so both run this.
 * Values become text exactly as the TypeScript expansion writes them.
 */
import type { Database } from '../db.ts';
import { ident, sqlString } from '../db.ts';
import { AttribError } from '../errors.ts';
import type { Expansion, PickExpansion } from './expand.ts';

/** A column of the raw table: name and DuckDB type. */
export interface RawColumn {
  name: string;
  type: string;
}

/** Whether `expr` binds against `table` (a field a record lacks does not). */
async function binds(db: Database, table: string, expr: string): Promise<boolean> {
  try {
    await db.all(`SELECT ${expr} FROM ${ident(table)} LIMIT 0`);
    return true;
  } catch {
    return false;
  }
}

const asText = (expr: string) => `CAST(${expr} AS VARCHAR)`;

/** The DuckDB type of `expr` over `table`, or undefined when it does not bind. */
async function typeOf(db: Database, table: string, expr: string): Promise<string | undefined> {
  try {
    const r = await db.all(`DESCRIBE SELECT ${expr} AS x FROM ${ident(table)} LIMIT 0`);
    return String(r[0]?.column_type ?? '');
  } catch {
    return undefined;
  }
}

/**
 * Creates the view `view` over `table`: its columns plus the expansion's new
 * ones (all VARCHAR), and returns the view's columns without `_row`/`_line`.
 * Throws when a nested column is stored as text: Parquet JSON text cannot be
 * parsed in SQL on both engines.
 */
export async function expandParquetView(db: Database, table: string, view: string, columns: RawColumn[], exp: Expansion, file: string): Promise<RawColumn[]> {
  const byLower = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const exprs = new Map<string, string>(); // new column (lower case) -> SQL text expression
  const out: RawColumn[] = [...columns];
  const add = (name: string, expr: string) => {
    exprs.set(name.toLowerCase(), expr);
    out.push({ name, type: 'VARCHAR' });
  };
  const nested = (name: string, want: 'STRUCT' | 'LIST' | 'ANY') => {
    const c = byLower.get(name);
    if (!c) return undefined;
    const isStruct = /^STRUCT\(/i.test(c.type);
    const isList = /\[\]$/.test(c.type);
    if (want === 'STRUCT' ? !isStruct : want === 'LIST' ? !isList : !isStruct && !isList) {
      throw notNested(c.name, c.type, want === 'STRUCT' ? 'a record (STRUCT)' : want === 'LIST' ? 'a list (LIST)' : 'a record or a list', file);
    }
    return ident(c.name);
  };
  for (const o of exp.objects ?? []) {
    const base = nested(o.column, 'STRUCT');
    for (const p of o.paths) {
      const name = `${o.column}.${p}`;
      if (byLower.has(name) || exprs.has(name)) continue;
      const expr = base && `${base}.${p.split('.').map(ident).join('.')}`;
      add(name, expr && (await binds(db, table, expr)) ? asText(expr) : 'CAST(NULL AS VARCHAR)');
    }
  }
  for (const kv of exp.keyValue ?? []) {
    const base = nested(kv.column, 'LIST');
    const fields: string[] = [];
    if (base) {
      for (const f of kv.valueFields) if (await binds(db, table, `${base}[1]."value".${ident(f)}`)) fields.push(f);
    }
    for (const k of kv.keys) {
      const name = `${kv.column}.${k}`;
      if (byLower.has(name) || exprs.has(name)) continue;
      // the first record with this key, as the TypeScript expansion takes it
      const rec = `list_filter(${base}, lambda x: x."key" = ${sqlString(k)})[1]."value"`;
      add(name, base && fields.length ? `coalesce(${fields.map((f) => asText(`${rec}.${ident(f)}`)).join(', ')})` : 'CAST(NULL AS VARCHAR)');
    }
  }
  for (const p of exp.picks ?? []) {
    const rec = await pickedRecord(db, table, p, nested(p.column, 'ANY'), file);
    for (const path of p.paths) {
      const name = `${p.name}.${path}`;
      if (byLower.has(name.toLowerCase()) || exprs.has(name.toLowerCase())) continue;
      const expr = rec && `(${rec}).${path.split('.').map(ident).join('.')}`;
      add(name, expr && (await binds(db, table, expr)) ? asText(expr) : 'CAST(NULL AS VARCHAR)');
    }
  }
  const nameOf = (lower: string) => out.find((c) => c.name.toLowerCase() === lower)!.name;
  // firstOf reads the inner query's new columns by name, the file's own columns as text
  const ref = (lower: string) => (exprs.has(lower) ? ident(nameOf(lower)) : byLower.has(lower) ? asText(ident(byLower.get(lower)!.name)) : undefined);
  // each firstOf is one more SELECT layer, so a later one may read an earlier one by name
  let sql = `SELECT *${exprs.size ? `, ${[...exprs.entries()].map(([name, e]) => `${e} AS ${ident(nameOf(name))}`).join(', ')}` : ''} FROM ${ident(table)}`;
  const derivedNames = new Set<string>();
  const refOf = (lower: string) => (derivedNames.has(lower) ? ident(out.find((c) => c.name.toLowerCase() === lower)!.name) : ref(lower));
  for (const f of exp.firstOf ?? []) {
    const from = f.from.map((c) => refOf(c.toLowerCase())).filter((e): e is string => e !== undefined);
    const whens = from.map((e) => `WHEN trim(${e}) <> '' THEN ${e}`).join(' ');
    let expr = from.length ? `CASE ${whens} END` : 'CAST(NULL AS VARCHAR)';
    if (f.when) {
      const conds = f.when.map((c) => refOf(c.toLowerCase())).filter((e): e is string => e !== undefined).map((e) => `trim(${e}) <> ''`);
      expr = conds.length ? `CASE WHEN ${conds.join(' OR ')} THEN ${expr} END` : 'CAST(NULL AS VARCHAR)';
    }
    sql = `SELECT *, ${expr} AS ${ident(f.name)} FROM (${sql})`;
    out.push({ name: f.name, type: 'VARCHAR' });
    derivedNames.add(f.name.toLowerCase());
  }
  await db.run(`CREATE OR REPLACE TEMP VIEW ${ident(view)} AS ${sql}`);
  return out;
}

function notNested(name: string, type: string, want: string, file: string): AttribError {
  return new AttribError('file_unsupported', `column ${name} is ${type}, expected ${want}: nested columns stored as JSON text are read from CSV or NDJSON, not from Parquet`, { file });
}

/**
 * The SQL of the record a {@link PickExpansion} takes from a Parquet column
 * (a STRUCT, or a LIST of STRUCTs: its first item matching `where`), or
 * undefined when the column is absent or holds no such record type.
 */
async function pickedRecord(db: Database, table: string, p: PickExpansion, base: string | undefined, file: string): Promise<string | undefined> {
  if (!base) return undefined;
  const inner = p.at ? `${base}.${p.at.split('.').map(ident).join('.')}` : base;
  const type = await typeOf(db, table, inner);
  if (type === undefined) return undefined;
  const w = p.where;
  if (/\[\]$/.test(type)) {
    return w ? `list_filter(${inner}, lambda x: starts_with(CAST(x.${ident(w.field)} AS VARCHAR), ${sqlString(w.prefix)}))[1]` : `${inner}[1]`;
  }
  if (/^STRUCT\(/i.test(type)) {
    return w ? `CASE WHEN starts_with(CAST(${inner}.${ident(w.field)} AS VARCHAR), ${sqlString(w.prefix)}) THEN ${inner} END` : inner;
  }
  throw notNested(`${p.column}${p.at ? `.${p.at}` : ''}`, type, 'a record or a list of records', file);
}
