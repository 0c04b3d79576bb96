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
import type { Expansion } from './expand.ts';

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
  const nested = (name: string, want: 'STRUCT' | 'LIST') => {
    const c = byLower.get(name);
    if (!c) return undefined;
    const ok = want === 'STRUCT' ? /^STRUCT\(/i.test(c.type) : /\[\]$/.test(c.type);
    if (!ok) {
      throw new AttribError('file_unsupported', `column ${c.name} is ${c.type}, expected a ${want === 'STRUCT' ? 'record (STRUCT)' : 'list (LIST)'}: nested columns stored as JSON text are read from CSV or NDJSON, not from Parquet`, { file });
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
  const nameOf = (lower: string) => out.find((c) => c.name.toLowerCase() === lower)!.name;
  // firstOf reads the inner query's new columns by name, the file's own columns as text
  const ref = (lower: string) => (exprs.has(lower) ? ident(nameOf(lower)) : byLower.has(lower) ? asText(ident(byLower.get(lower)!.name)) : undefined);
  const derived: string[] = [];
  for (const f of exp.firstOf ?? []) {
    const from = f.from.map((c) => ref(c.toLowerCase())).filter((e): e is string => e !== undefined);
    const whens = from.map((e) => `WHEN trim(${e}) <> '' THEN ${e}`).join(' ');
    derived.push(`${from.length ? `CASE ${whens} END` : 'CAST(NULL AS VARCHAR)'} AS ${ident(f.name)}`);
    out.push({ name: f.name, type: 'VARCHAR' });
  }
  const inner = [...exprs.entries()].map(([name, e]) => `${e} AS ${ident(nameOf(name))}`);
  await db.run(`CREATE OR REPLACE TEMP VIEW ${ident(view)} AS SELECT *${derived.length ? `, ${derived.join(', ')}` : ''}
    FROM (SELECT *${inner.length ? `, ${inner.join(', ')}` : ''} FROM ${ident(table)})`);
  return out;
}
