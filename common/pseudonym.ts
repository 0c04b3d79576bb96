/**
 * Pseudonymisation keys: HMAC-SHA-256 under a per-project secret key
 * (trust.md section 4.1, after Google Cloud DLP's CryptoHashConfig).
 *
 * A keyed hash, not a salted one: user ids and e-mail addresses have little
 * entropy, so anyone holding a plain hash and the salt can test guesses. With
 * HMAC the guesses need the key, and the key never goes into a notebook,
 * export or log: notebooks record only its {@link keyId}. The key lives in a
 * key file (CLI, web mode) or in the OS keychain through Electron's
 * safeStorage (desktop app).
 *
 * The hashing itself runs in SQL at import (common/import/importer.ts), on both
 * engines, as sha256((K xor opad) || unhex(sha256((K xor ipad) || value))):
 * RFC 2104 with the two padded keys computed here ({@link hmacPads}).
 * Works in Node and the browser (Web Crypto only).
 */
import { AttribError } from './errors.ts';

/** Bytes of a new key (HMAC-SHA-256's own block-size limit is 64; 32 is Google DLP's minimum). */
export const KEY_BYTES = 32;

/** The first line of a key file: the format and a warning, so a stray file explains itself. */
export const KEY_FILE_HEADER = '# Attribution Workbench pseudonymisation key (HMAC-SHA-256). Keep it secret: with it, guesses of raw ids can be tested.';

const KEY_LINE = /^attrib-key-v1\s+([0-9a-f]{64,128})$/i;

/** A 32-byte random key, from the platform's cryptographic generator. */
export function generateKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(KEY_BYTES));
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Bytes of an even-length hex string (validated by the callers' patterns). */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The text of a key file for `key`: the header comment and one `attrib-key-v1 <hex>` line. */
export function formatKeyFile(key: Uint8Array): string {
  return `${KEY_FILE_HEADER}\nattrib-key-v1 ${toHex(key)}\n`;
}

/**
 * Reads a key file's text. Lines starting with `#` and blank lines are
 * ignored; exactly one `attrib-key-v1 <hex>` line must remain, with 32 to 64
 * bytes of key. Throws a one-line AttribError naming the file otherwise.
 */
export function parseKeyFile(text: string, file = 'key file'): Uint8Array {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const m = lines.length === 1 ? KEY_LINE.exec(lines[0]) : null;
  if (!m || m[1].length % 2) {
    throw new AttribError('bad_key', 'not a pseudonymisation key file: expected one line "attrib-key-v1 <64 to 128 hex digits>" (make one with `attrib keygen --out FILE`)', { file });
  }
  return fromHex(m[1].toLowerCase());
}

/** Checks a key's length: 32 to 64 bytes (a longer HMAC key would be hashed first, which the SQL does not do). */
export function checkKey(key: Uint8Array): void {
  if (key.length < KEY_BYTES || key.length > 64) {
    throw new AttribError('bad_key', `a pseudonymisation key has ${KEY_BYTES} to 64 bytes, this one ${key.length}`);
  }
}

/**
 * The HMAC key padded to SHA-256's 64-byte block and xored with ipad (0x36)
 * and opad (0x5c), as hex for binding to `unhex($n)`.
 */
export function hmacPads(key: Uint8Array): { ipad: string; opad: string } {
  checkKey(key);
  const pad = (b: number) => {
    const k = new Uint8Array(64);
    k.set(key);
    for (let i = 0; i < 64; i++) k[i] ^= b;
    return toHex(k);
  };
  return { ipad: pad(0x36), opad: pad(0x5c) };
}

/** HMAC-SHA-256 of a UTF-8 string, hex (Web Crypto): what the SQL computes, for checks and key ids. */
export async function hmacHex(key: Uint8Array, value: string): Promise<string> {
  const k = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(value))));
}

/**
 * A key's public fingerprint: 16 hex digits of HMAC(key, "attrib key id").
 * Notebooks store it, so reopening with a different key is caught, and it
 * reveals nothing usable about the key.
 */
export async function keyId(key: Uint8Array): Promise<string> {
  return (await hmacHex(key, 'attrib key id')).slice(0, 16);
}

/** A key id as notebooks store it. */
export const KEY_ID_RE = /^[0-9a-f]{16}$/;

/**
 * Source column names that hold personal identifiers by name (trust.md
 * section 4.2's classifier): their values are pseudonymised wherever they are
 * kept (kept columns, the raw text of rejected rows).
 */
export const PII_NAME_RE = /(^|[^a-z])(e-?mail|user_?id|userid|anon(ymous)?_?id|client_?id|user_pseudo_id|distinct_id|device_?id|visitor_?id|cookie_?id|customer_?(user_?)?id|person_?id|ip|ip_?address|user_ipaddress|phone|mobile|idfa|gaid|appsflyer_id|domain_userid|network_userid|user_fingerprint)($|[^a-z])/i;

/** A whole value that is an e-mail address (RE2 and JavaScript alike): hashed lower-cased. */
export const EMAIL_FULL_RE = `[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}`;

/**
 * The pseudonym the import gives an identifier (what aw_pid computes in SQL):
 * the value trimmed, an e-mail address lower-cased, then HMAC-SHA-256 hex.
 * Lets the UI find a person by the raw id the user types.
 */
export async function pseudonymOf(key: Uint8Array, value: string): Promise<string> {
  const v = value.trim();
  return hmacHex(key, new RegExp(`^${EMAIL_FULL_RE}$`).test(v) ? v.toLowerCase() : v);
}
