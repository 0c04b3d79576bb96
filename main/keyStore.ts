/**
 * Pseudonymisation keys in the desktop app (trust.md section 4.1): each key
 * is kept in `userData/keys/<keyId>.key`, encrypted with the OS keychain
 * through Electron's safeStorage, so a notebook (which records only the key
 * id) reopens with the same pseudonyms and the key is never in plain text on
 * disk. Where safeStorage has no real keychain behind it (Linux without a
 * secret service falls back to a fixed password, "basic_text"), keys stay in
 * memory for the session only and the UI asks the user to keep the key file.
 *
 * Electron comes in as a parameter (`SafeStoragePort`), so unit tests run
 * this with a fake (test/unit/electron-keys.test.ts).
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KeyInfo } from '../common/bridge.ts';
import { checkKey, formatKeyFile, fromHex, generateKey, keyId, KEY_ID_RE, parseKeyFile, toHex } from '../common/pseudonym.ts';
import { atomicWriteFile } from './atomicWrite.ts';
import { AttribError } from '../common/errors.ts';

/** The part of Electron's safeStorage this uses. */
export interface SafeStoragePort {
  isEncryptionAvailable(): boolean;
  /** Linux only: 'basic_text' means no keychain (a hard-coded password). */
  getSelectedStorageBackend?(): string;
  encryptString(plain: string): Buffer;
  decryptString(cipher: Buffer): string;
}

/** Keys by id; what the `workbench:key-*` handlers call. */
export interface MainKeyStore {
  create(): Promise<KeyInfo>;
  get(id: string): Promise<string | null>;
  /** Keeps the key of a key file's text (from the open dialog). */
  importText(text: string, file: string): Promise<KeyInfo>;
  /** A key file's text for `id`, or null when this app does not have the key. */
  exportText(id: string): Promise<string | null>;
}

/** Whether safeStorage encrypts with a real OS keychain here. */
export function keychainUsable(s: SafeStoragePort, platform: string): boolean {
  if (!s.isEncryptionAvailable()) return false;
  return !(platform === 'linux' && s.getSelectedStorageBackend?.() === 'basic_text');
}

/** A key store under `dir` (userData/keys). */
export function makeKeyStore(dir: string, safe: SafeStoragePort, platform: string = process.platform): MainKeyStore {
  const session = new Map<string, string>();
  const fileOf = (id: string) => path.join(dir, `${id}.key`);

  const keep = async (key: Uint8Array): Promise<KeyInfo> => {
    checkKey(key);
    const id = await keyId(key);
    session.set(id, toHex(key));
    if (!keychainUsable(safe, platform)) return { keyId: id, kept: 'session' };
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await atomicWriteFile(fileOf(id), safe.encryptString(formatKeyFile(key)), { newFileMode: 0o600 });
    return { keyId: id, kept: 'keychain' };
  };

  return {
    create: () => keep(generateKey()),

    async get(id) {
      if (!KEY_ID_RE.test(id)) return null;
      const hit = session.get(id);
      if (hit) return hit;
      if (!keychainUsable(safe, platform)) return null;
      let cipher: Buffer;
      try {
        cipher = await readFile(fileOf(id));
      } catch {
        return null;
      }
      const key = parseKeyFile(safe.decryptString(cipher), fileOf(id));
      // a file renamed to another id must not answer for it
      if ((await keyId(key)) !== id) return null;
      session.set(id, toHex(key));
      return toHex(key);
    },

    async importText(text, file) {
      let key: Uint8Array;
      try {
        key = parseKeyFile(text, file);
      } catch (e) {
        // only the message crosses IPC: put the file name in it
        throw new Error(e instanceof AttribError ? e.oneLine() : String(e));
      }
      return keep(key);
    },

    async exportText(id) {
      const hex = await this.get(id);
      return hex ? formatKeyFile(fromHex(hex)) : null;
    },
  };
}
