/**
 * Pseudonymisation keys in the browser (web mode): kept in this page's
 * memory for the session, never in IndexedDB or localStorage, where any
 * later page of the origin could read them. The user's copy is the key file
 * (common/pseudonym.ts format), saved when the key is made and chosen again
 * to reopen a notebook whose data was pseudonymised.
 */
import type { KeyInfo, KeyStore } from '../../common/bridge.ts';
import { checkKey, formatKeyFile, fromHex, generateKey, keyId, parseKeyFile, toHex } from '../../common/pseudonym.ts';

/** What the key-file picker offers. */
export const KEY_FILE_ACCEPT = '.key,.txt,text/plain';

/** A KeyStore in memory, saving and reading key files through the host's own export and picker. */
export class SessionKeyStore implements KeyStore {
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly save: (name: string, data: Blob) => Promise<boolean>,
    private readonly pick: () => Promise<File[]>,
  ) {}

  async create(): Promise<KeyInfo> {
    const key = generateKey();
    const id = await keyId(key);
    this.keys.set(id, toHex(key));
    // offered at once: without the file, this notebook's data cannot be pseudonymised the same way again
    await this.save(`attrib-${id}.key`, new Blob([formatKeyFile(key)], { type: 'text/plain' })).catch(() => false);
    return { keyId: id, kept: 'session' };
  }

  async get(id: string): Promise<string | null> {
    return this.keys.get(id) ?? null;
  }

  async importFile(): Promise<KeyInfo | null> {
    const [file] = await this.pick();
    if (!file) return null;
    const key = parseKeyFile(await file.text(), file.name);
    checkKey(key);
    const id = await keyId(key);
    this.keys.set(id, toHex(key));
    return { keyId: id, kept: 'session' };
  }

  async exportFile(id: string): Promise<boolean> {
    const hex = this.keys.get(id);
    if (!hex) throw new Error(`key ${id} is not open in this window: choose its key file first`);
    return this.save(`attrib-${id}.key`, new Blob([formatKeyFile(fromHex(hex))], { type: 'text/plain' }));
  }
}
