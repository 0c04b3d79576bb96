/**
 * The privacy fixture (test/fixtures/privacy/pii_events.csv) and the raw
 * identifiers in it, for the pseudonymisation tests (engine, CLI, web mode)
 * to search outputs for.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCsvText } from './helpers.ts';

/** Absolute path of the fixture. */
export const PII_FIXTURE = fileURLToPath(new URL('./fixtures/privacy/pii_events.csv', import.meta.url));

const table = parseCsvText(readFileSync(PII_FIXTURE, 'utf8'));
const col = (name: string) => table.slice(1).map((r) => r[table[0].indexOf(name)]).filter((v) => v !== undefined && v !== '');

/** E-mail user ids and the e-mail column's values, as written (mixed case). */
export const PII_EMAILS = [...new Set([...col('user_id'), ...col('email')])];
/** The anonymous (device) ids. */
export const PII_DEVICES = [...new Set(col('anonymous_id'))];
/** IPv4 and IPv6 addresses. */
export const PII_IPS = [...new Set(col('ip'))];

/**
 * Every raw identifier to search for: whole e-mails (also URL-encoded), device
 * ids, IPs and, with `localParts`, the e-mails' local parts ("frank"), which
 * are too common to search a browser profile's cached library code for.
 */
export function piiNeedles(localParts: boolean): string[] {
  return [...PII_EMAILS, ...PII_EMAILS.map(encodeURIComponent), ...PII_DEVICES, ...PII_IPS, ...(localParts ? PII_EMAILS.map((e) => e.split('@')[0]) : [])];
}
