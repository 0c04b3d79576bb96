/**
 * Pseudonymisation keys in the desktop app (main/keyStore.ts, the
 * workbench:key-* channels), with a fake safeStorage: keys are on disk only
 * encrypted, come back after a restart, stay in memory where the keychain is
 * a fixed password (Linux basic_text), and key files written by the app are
 * private. The channels refuse malformed key ids before any handler runs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { keychainUsable, makeKeyStore, type SafeStoragePort } from '../../main/keyStore.ts';
import { makeHandlers, type DialogPort } from '../../main/handlers.ts';
import { RecentList } from '../../main/userFiles.ts';
import { VALIDATORS, IpcValidationError } from '../../main/ipcChannels.ts';
import { formatKeyFile, fromHex, keyId, parseKeyFile } from '../../common/pseudonym.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'aw-keys-'));

/** A stand-in keychain: reversible, and never the plain text on disk. */
function fakeSafe(backend = 'gnome_libsecret', available = true): SafeStoragePort & { calls: number } {
  const s = {
    calls: 0,
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain: string) => (s.calls++, Buffer.from(`ENC:${Buffer.from(plain).toString('base64').split('').reverse().join('')}`)),
    decryptString: (c: Buffer) => Buffer.from(c.toString().slice(4).split('').reverse().join(''), 'base64').toString(),
  };
  return s;
}

describe('main key store', () => {
  it('keeps a new key encrypted on disk and finds it again after a restart', async () => {
    const d = mkdtempSync(path.join(dir, 'kc-'));
    const safe = fakeSafe();
    const info = await makeKeyStore(d, safe, 'linux').create();
    assert.equal(info.kept, 'keychain');
    assert.match(info.keyId, /^[0-9a-f]{16}$/);
    const files = readdirSync(d);
    assert.deepEqual(files, [`${info.keyId}.key`]);
    const onDisk = readFileSync(path.join(d, files[0]), 'utf8');
    assert.ok(onDisk.startsWith('ENC:') && !/attrib-key-v1/.test(onDisk), 'the key is not on disk in plain text');
    if (process.platform !== 'win32') assert.equal(statSync(path.join(d, files[0])).mode & 0o777, 0o600);
    // a fresh store (the app restarted) over the same folder
    const hex = await makeKeyStore(d, fakeSafe(), 'linux').get(info.keyId);
    assert.ok(hex && /^[0-9a-f]{64}$/.test(hex));
    assert.equal(await keyId(fromHex(hex)), info.keyId);
    // HMAC under it is what the engine will compute
    assert.equal(createHmac('sha256', Buffer.from(hex, 'hex')).update('attrib key id').digest('hex').slice(0, 16), info.keyId);
  });

  it('keeps keys for the session only where the keychain is a fixed password or missing', async () => {
    for (const safe of [fakeSafe('basic_text'), fakeSafe('gnome_libsecret', false)]) {
      const d = mkdtempSync(path.join(dir, 'bt-'));
      const store = makeKeyStore(d, safe, 'linux');
      const info = await store.create();
      assert.equal(info.kept, 'session');
      assert.deepEqual(readdirSync(d), [], 'nothing written');
      assert.equal(safe.calls, 0);
      assert.ok(await store.get(info.keyId));
      assert.equal(await makeKeyStore(d, safe, 'linux').get(info.keyId), null, 'gone after a restart');
    }
    assert.equal(keychainUsable(fakeSafe('basic_text'), 'darwin'), true, 'basic_text is a Linux-only backend name');
  });

  it('does not answer for a key id its file does not hold, nor for malformed ids', async () => {
    const d = mkdtempSync(path.join(dir, 'mv-'));
    const store = makeKeyStore(d, fakeSafe(), 'linux');
    const a = await store.create();
    const other = '0123456789abcdef';
    writeFileSync(path.join(d, `${other}.key`), readFileSync(path.join(d, `${a.keyId}.key`)));
    assert.equal(await makeKeyStore(d, fakeSafe(), 'linux').get(other), null);
    assert.equal(await store.get('../../etc/passwd'), null);
  });
});

describe('workbench:key-* channels', () => {
  const setup = (answers: { canceled: boolean; filePaths?: string[]; filePath?: string }[]) => {
    const ud = mkdtempSync(path.join(dir, 'ud-'));
    const dialog: DialogPort = {
      open: async () => ({ filePaths: [], ...(answers.shift() ?? { canceled: true }) }),
      save: async () => answers.shift() ?? { canceled: true },
    };
    const h = makeHandlers({
      dialog,
      userData: ud,
      recent: new RecentList(path.join(ud, 'recent.json')),
      addRecentDocument: () => undefined,
      appInfo: () => ({ name: 'x', version: '0', platform: 'linux', electron: '1', chrome: '1', node: '1' }),
      startDir: ud,
      keys: makeKeyStore(path.join(ud, 'keys'), fakeSafe(), 'linux'),
    });
    return { h, ud };
  };

  it('imports a key file the user chooses and exports one readable by the user only', async () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 3);
    const src = path.join(dir, 'shared.key');
    writeFileSync(src, formatKeyFile(key));
    const out = path.join(dir, 'exported.key');
    const { h } = setup([{ canceled: false, filePaths: [src] }, { canceled: false, filePath: out }]);
    const info = await h['workbench:key-import']();
    assert.deepEqual(info, { keyId: await keyId(key), kept: 'keychain' });
    assert.equal(await h['workbench:key-export'](info!.keyId), true);
    assert.deepEqual(parseKeyFile(readFileSync(out, 'utf8')), key);
    if (process.platform !== 'win32') assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.equal(await h['workbench:key-get'](info!.keyId), Buffer.from(key).toString('hex'));
  });

  it('refuses files that are not keys, and keys the app does not have', async () => {
    const big = path.join(dir, 'big.key');
    writeFileSync(big, 'x'.repeat(10_000));
    const notKey = path.join(dir, 'not.key');
    writeFileSync(notKey, 'hello\n');
    const { h } = setup([{ canceled: false, filePaths: [big] }, { canceled: false, filePaths: [notKey] }, { canceled: true }]);
    await assert.rejects(h['workbench:key-import'](), /big\.key is not a key file/);
    await assert.rejects(h['workbench:key-import'](), /not\.key: not a pseudonymisation key file/);
    assert.equal(await h['workbench:key-import'](), null, 'cancelled');
    await assert.rejects(h['workbench:key-export']('0123456789abcdef'), /not in this app/);
  });

  it('validates key ids before any handler runs', () => {
    for (const bad of [['../x'], ['0123456789ABCDEF'], [12], [], ['0123456789abcdef', 'x'], ['0123456789abcdef0']]) {
      assert.throws(() => VALIDATORS['workbench:key-get'](bad), IpcValidationError, JSON.stringify(bad));
      assert.throws(() => VALIDATORS['workbench:key-export'](bad), IpcValidationError, JSON.stringify(bad));
    }
    assert.deepEqual(VALIDATORS['workbench:key-get'](['0123456789abcdef']), ['0123456789abcdef']);
    assert.throws(() => VALIDATORS['workbench:key-create'](['x']), IpcValidationError);
  });
});
