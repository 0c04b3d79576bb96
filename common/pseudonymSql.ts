/**
 * The SQL side of pseudonymisation (see common/pseudonym.ts for the keys).
 *
 * The import creates a one-row temporary table `__pkey` with the two padded
 * HMAC keys, bound as parameters (never pasted into SQL text, where
 * duckdb_functions() would show them), and joins it to the raw batch; the
 * macros below take the pads as arguments. `__pkey` is dropped when the
 * import ends, whatever happens.
 */
import type { Database } from './db.ts';
import { sqlString } from './db.ts';
import { EMAIL_FULL_RE, fromHex, hmacPads } from './pseudonym.ts';
import { AttribError } from './errors.ts';

/** An e-mail address inside longer text, also URL-encoded (`%40`), as in `?email=a%40b.com`. */
const EMAIL_ANY = `[A-Za-z0-9._%+'-]+(@|%40)[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}`;
/** IPv4 addresses, and IPv6 in full or `::` form (a time like 12:30:45 has neither). */
const IPV4 = String.raw`\b(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\b`;
const IPV6 = String.raw`\b([0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b|\b([0-9A-Fa-f]{1,4}:){1,6}:([0-9A-Fa-f]{1,4}:?){0,6}[0-9A-Fa-f]{0,4}`;

/** What replaces an e-mail address cut out of longer text, and an IP address in a rejected row. */
export const EMAIL_MARK = '[email]';
export const IP_MARK = '[ip]';

/**
 * The macros. aw_hmac: RFC 2104 over SHA-256 (hex). aw_pid: an identifier
 * (user_id, anon_id, a column named like one): its HMAC, an e-mail address
 * lower-cased first; empty-like tokens stay as they are (staging turns them
 * into NULL). aw_scrub: any other text: a whole e-mail address becomes its
 * HMAC, one inside longer text is replaced by [email]. aw_rawscrub: aw_scrub
 * plus IP addresses replaced by [ip], for the raw text of rejected rows.
 */
const MACROS = [
  `CREATE OR REPLACE TEMP MACRO aw_hmac(v, ip, op) AS sha256(op || unhex(sha256(ip || encode(v))))`,
  `CREATE OR REPLACE TEMP MACRO aw_pid(v, ip, op) AS CASE WHEN aw_tok(v) IS NULL THEN v
     ELSE aw_hmac(CASE WHEN contains(v, '@') AND regexp_full_match(v, ${sqlString(EMAIL_FULL_RE)}) THEN lower(v) ELSE v END, ip, op) END`,
  `CREATE OR REPLACE TEMP MACRO aw_scrub(v, ip, op) AS CASE WHEN v IS NULL OR NOT (contains(v, '@') OR contains(v, '%40')) THEN v
     WHEN regexp_full_match(trim(v), ${sqlString(EMAIL_FULL_RE)}) THEN aw_hmac(lower(trim(v)), ip, op)
     ELSE regexp_replace(v, ${sqlString(EMAIL_ANY)}, ${sqlString(EMAIL_MARK)}, 'g') END`,
  `CREATE OR REPLACE TEMP MACRO aw_rawscrub(v, ip, op) AS
     regexp_replace(regexp_replace(aw_scrub(v, ip, op), ${sqlString(IPV4)}, ${sqlString(IP_MARK)}, 'g'), ${sqlString(IPV6)}, ${sqlString(IP_MARK)}, 'g')`,
];

/** Creates `__pkey` from a hex key and the macros; throws a one-line error for a malformed key. */
export async function beginPseudonymize(db: Database, keyHex: string): Promise<void> {
  if (!/^([0-9a-f]{2}){32,64}$/i.test(keyHex)) throw new AttribError('bad_key', 'the pseudonymisation key must be 32 to 64 bytes, given as hex');
  const { ipad, opad } = hmacPads(fromHex(keyHex.toLowerCase()));
  await db.run('CREATE OR REPLACE TEMP TABLE __pkey AS SELECT unhex($1) AS ipad, unhex($2) AS opad', [ipad, opad]);
  for (const m of MACROS) await db.run(m);
}

/** Drops the key table (the macros are harmless without it). */
export async function endPseudonymize(db: Database): Promise<void> {
  await db.run('DROP TABLE IF EXISTS __pkey');
}

/** `expr` as an identifier's pseudonym; `k` is the alias `__pkey` is joined as. */
export function pidSql(expr: string, k = 'k'): string {
  return `aw_pid(${expr}, ${k}.ipad, ${k}.opad)`;
}

/** `expr` with e-mail addresses hashed or cut out. */
export function scrubSql(expr: string, k = 'k'): string {
  return `aw_scrub(${expr}, ${k}.ipad, ${k}.opad)`;
}

/** `expr` with e-mail and IP addresses hashed or cut out (raw text of rejects). */
export function rawScrubSql(expr: string, k = 'k'): string {
  return `aw_rawscrub(${expr}, ${k}.ipad, ${k}.opad)`;
}
