/**
 * Normalises values read from either engine to plain JS, so both engines'
 * rows compare equal: BIGINT becomes a number when exact, else a string.
 */
import type { Row } from './db.ts';

/** Converts one engine value to a plain JS value. */
export function toValue(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  }
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** Converts a row object. */
export function toRow(r: Record<string, unknown>): Row {
  const out: Row = {};
  for (const k of Object.keys(r)) out[k] = toValue(r[k]);
  return out;
}
