/**
 * `--pseudonymize --key-file FILE` for every command that reads events, and
 * `attrib keygen --out FILE`, which makes a key file. The key stays in its file:
 * outputs, messages and the summary name only its public id.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { AttribError } from '../common/errors.ts';
import { checkKey, formatKeyFile, generateKey, keyId, parseKeyFile, toHex } from '../common/pseudonym.ts';
import { parseCommand } from './args.ts';

/** The parseArgs options. */
export const PSEUDONYM_OPTIONS = {
  pseudonymize: { type: 'boolean' },
  'key-file': { type: 'string' },
} as const;

/** The help lines. */
export const PSEUDONYM_HELP = `  --pseudonymize                replace user_id, anon_id and e-mail addresses with HMAC-SHA-256 pseudonyms at import
                                (also in rejects.csv; IP addresses there are cut out). Needs --key-file
  --key-file FILE               the secret key (make one with 'attrib keygen --out FILE'; the same key gives the same pseudonyms)`;

export const KEYGEN_HELP = `attrib keygen --out FILE

Writes a new random 32-byte pseudonymisation key to FILE (readable by you only) and prints its public id.
Refuses to overwrite an existing file. Keep the file out of notebooks and shared folders: whoever holds it
can test guesses of the raw ids behind the pseudonyms.`;

/** The importer's pseudonymize option from the flags; undefined without --pseudonymize. */
export function pseudonymizeFrom(o: { pseudonymize?: boolean; 'key-file'?: string }, warn: (s: string) => void = (s) => console.error(s)): { key: string } | undefined {
  if (!o.pseudonymize) {
    if (o['key-file'] !== undefined) throw new AttribError('bad_parameter', '--key-file needs --pseudonymize');
    return undefined;
  }
  const file = o['key-file'];
  if (!file) throw new AttribError('bad_parameter', "--pseudonymize needs --key-file FILE (make one with 'attrib keygen --out FILE')");
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AttribError('bad_key', code === 'ENOENT' ? "no such key file (make one with 'attrib keygen --out FILE')" : `cannot read the key file (${code})`, { file });
  }
  const key = parseKeyFile(text, file);
  checkKey(key);
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    warn(`attrib: warning: ${file} can be read by other users (chmod 600 ${file})`);
  }
  return { key: toHex(key) };
}

/** `attrib keygen --out FILE`. */
export async function keygenCommand(args: string[]): Promise<number> {
  const o = parseCommand('keygen', args, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (o.help) {
    console.log(KEYGEN_HELP);
    return 0;
  }
  const file = o.out;
  if (!file) throw new AttribError('bad_parameter', 'keygen needs --out FILE');
  const key = generateKey();
  try {
    // 'wx': never overwrite a key, whose loss would orphan every pseudonym made with it
    writeFileSync(file, formatKeyFile(key), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AttribError('bad_parameter', code === 'EEXIST' ? 'the file exists: keygen never overwrites a key' : `cannot write the key file (${code})`, { file });
  }
  console.log(`wrote a new key to ${file} (key id ${await keyId(key)})`);
  return 0;
}
