/** IPC in plain Node: the channel allow-list, argument validators (good and bad shapes) and the sender check (S8). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IpcMain } from 'electron';
import { INVOKE_CHANNELS, IpcValidationError, SEND_CHANNELS, VALIDATORS, isAbsolutePathString, isFileName, isInvokeChannel, type InvokeChannel, type InvokeMap } from '../../main/ipcChannels.ts';
import { guardInvoke, isTrustedSender, registerIpc } from '../../main/ipc.ts';
import type { Handlers } from '../../main/handlers.ts';

const APP = { url: 'app://workbench/index.html', parent: null };
const ok = <C extends InvokeChannel>(channel: C, ...args: unknown[]) => (VALIDATORS[channel] as (a: unknown[]) => InvokeMap[C]['args'])(args);
const bad = (channel: InvokeChannel, ...args: unknown[]) => assert.throws(() => VALIDATORS[channel](args), IpcValidationError, `${channel} ${JSON.stringify(args)}`);

describe('channel allow-list', () => {
  it('is exactly the channels the preload wraps', () => {
    assert.deepEqual([...INVOKE_CHANNELS].sort(), [
      'workbench:app-info',
      'workbench:clear-recovery',
      'workbench:export-file',
      'workbench:key-create',
      'workbench:key-export',
      'workbench:key-get',
      'workbench:key-import',
      'workbench:open-notebook',
      'workbench:open-recent',
      'workbench:pick-data-files',
      'workbench:read-recovery',
      'workbench:recent-notebooks',
      'workbench:save-notebook',
      'workbench:write-recovery',
    ]);
    assert.ok(Object.isFrozen(INVOKE_CHANNELS) && Object.isFrozen(VALIDATORS));
    assert.ok(isInvokeChannel('workbench:open-notebook'));
    assert.ok(!isInvokeChannel('workbench:eval') && !isInvokeChannel('toString') && !isInvokeChannel(42));
  });
});

describe('validators', () => {
  it('accept the shapes the preload sends', () => {
    assert.deepEqual(ok('workbench:pick-data-files'), []);
    assert.deepEqual(ok('workbench:save-notebook', { text: '# hi', suggestedName: 'Q3 audit.attrib.md' }), [{ text: '# hi', suggestedName: 'Q3 audit.attrib.md' }]);
    assert.deepEqual(ok('workbench:save-notebook', { text: '', suggestedName: 'a.attrib.md', path: '/home/u/a.attrib.md' }), [
      { text: '', suggestedName: 'a.attrib.md', path: '/home/u/a.attrib.md' },
    ]);
    assert.deepEqual(ok('workbench:save-notebook', { text: 'x', suggestedName: 'n.attrib.md', path: 'C:\\Users\\u\\n.attrib.md' })[0].path, 'C:\\Users\\u\\n.attrib.md');
    const data = new Uint8Array([1, 2, 3]);
    assert.equal(ok('workbench:export-file', { suggestedName: 'credits.csv', data })[0].data, data);
    assert.equal(ok('workbench:export-file', { suggestedName: 'c.parquet', data: Buffer.from('x') })[0].suggestedName, 'c.parquet');
    assert.deepEqual(ok('workbench:write-recovery', 'text ✓'), ['text ✓']);
    assert.deepEqual(ok('workbench:write-recovery', 'text', 'replaced'), ['text', 'replaced']);
    assert.deepEqual(ok('workbench:read-recovery', 'replaced'), ['replaced']);
    assert.deepEqual(ok('workbench:clear-recovery', 'open'), ['open']);
    assert.deepEqual(ok('workbench:clear-recovery'), []);
    assert.deepEqual(ok('workbench:open-recent', '/a/b.attrib.md'), ['/a/b.attrib.md']);
    assert.deepEqual(ok('workbench:open-recent', '\\\\server\\share\\b.attrib.md'), ['\\\\server\\share\\b.attrib.md']);
  });
  it('refuse wrong arity, types, extra fields and unsafe names or paths', () => {
    bad('workbench:pick-data-files', 'x');
    bad('workbench:read-recovery', {});
    bad('workbench:save-notebook');
    bad('workbench:save-notebook', 'text');
    bad('workbench:save-notebook', null);
    bad('workbench:save-notebook', ['text', 'name']);
    bad('workbench:save-notebook', { text: 1, suggestedName: 'a.attrib.md' });
    bad('workbench:save-notebook', { text: 'x' });
    bad('workbench:save-notebook', { text: 'x', suggestedName: '../../.bashrc' });
    bad('workbench:save-notebook', { text: 'x', suggestedName: 'a/b.md' });
    bad('workbench:save-notebook', { text: 'x', suggestedName: '..' });
    bad('workbench:save-notebook', { text: 'x', suggestedName: 'a\nb' });
    bad('workbench:save-notebook', { text: 'x', suggestedName: 'a.md', path: 'relative/a.md' });
    bad('workbench:save-notebook', { text: 'x', suggestedName: 'a.md', path: '/tmp/a\0.md' });
    bad('workbench:save-notebook', { text: 'x', suggestedName: 'a.md', path: 42 });
    bad('workbench:save-notebook', { text: 'x', suggestedName: 'a.md', extra: true });
    bad('workbench:save-notebook', Object.assign(Object.create({ inherited: 1 }), { text: 'x', suggestedName: 'a.md' }));
    bad('workbench:save-notebook', { text: 'x'.repeat(64 * 1024 * 1024 + 1), suggestedName: 'a.md' });
    bad('workbench:save-notebook', { text: 'x', suggestedName: 'a.md' }, 'second');
    bad('workbench:export-file', { suggestedName: 'a.csv', data: 'not bytes' });
    bad('workbench:export-file', { suggestedName: 'a.csv', data: [1, 2] });
    bad('workbench:export-file', { suggestedName: 'a.csv', data: new ArrayBuffer(2) });
    bad('workbench:export-file', { suggestedName: '/etc/cron.d/x', data: new Uint8Array(1) });
    bad('workbench:write-recovery');
    bad('workbench:write-recovery', { text: 'x' });
    bad('workbench:write-recovery', 'x', '../../etc/passwd');
    bad('workbench:write-recovery', 'x', 'replaced', 'more');
    bad('workbench:read-recovery', 'elsewhere');
    bad('workbench:clear-recovery', 'open', 'replaced');
    bad('workbench:open-recent', 'a.attrib.md');
    bad('workbench:open-recent', '');
    bad('workbench:open-recent', ['/a']);
  });
  it('name checks', () => {
    assert.ok(isFileName('report (1).attrib.md'));
    assert.ok(!isFileName('') && !isFileName('.') && !isFileName('a\\b') && !isFileName('x'.repeat(256)));
    assert.ok(isAbsolutePathString('/x') && isAbsolutePathString('D:/x') && isAbsolutePathString('d:\\x'));
    assert.ok(!isAbsolutePathString('x/y') && !isAbsolutePathString('C:x') && !isAbsolutePathString('~/x'));
  });
});

describe('sender check', () => {
  it('trusts only the app main frame', () => {
    assert.ok(isTrustedSender(APP));
    assert.ok(isTrustedSender({ url: 'app://workbench/', parent: null }));
    assert.ok(!isTrustedSender({ url: 'app://workbench/index.html', parent: {} }), 'subframe');
    assert.ok(!isTrustedSender({ url: 'https://example.com/', parent: null }));
    assert.ok(!isTrustedSender({ url: 'file:///tmp/x.html', parent: null }));
    assert.ok(!isTrustedSender({ url: 'app://workbench.attacker.com/', parent: null }));
    assert.ok(!isTrustedSender({ url: 'app://evil/index.html', parent: null }));
    assert.ok(!isTrustedSender({ url: 'devtools://devtools/x', parent: null }));
    assert.ok(!isTrustedSender(null) && !isTrustedSender(undefined));
    assert.ok(!isTrustedSender({ url: 'garbage', parent: null }));
  });
  it('guardInvoke refuses a wrong sender or bad arguments before the handler runs', async () => {
    let calls = 0;
    const h = guardInvoke('workbench:open-recent', async (p) => {
      calls++;
      return { name: 'x', path: p, text: '' };
    });
    assert.deepEqual(await h({ senderFrame: APP }, '/a.attrib.md'), { name: 'x', path: '/a.attrib.md', text: '' });
    await assert.rejects(h({ senderFrame: { url: 'https://example.com/', parent: null } }, '/a.attrib.md'), /untrusted sender/);
    await assert.rejects(h({ senderFrame: { url: APP.url, parent: {} } }, '/a.attrib.md'), /untrusted sender/);
    await assert.rejects(h({ senderFrame: null }, '/a.attrib.md'), /untrusted sender/);
    await assert.rejects(h({ senderFrame: APP }, 'relative.md'), /absolute path/);
    await assert.rejects(h({ senderFrame: APP }), /expected 1 argument/);
    assert.equal(calls, 1);
  });
});

describe('registerIpc', () => {
  it('registers exactly the allow-list, validated, and ignores engine requests from strangers', async () => {
    const handled = new Map<string, (e: unknown, ...a: unknown[]) => Promise<unknown>>();
    const ipcMain = Object.assign(new EventEmitter(), {
      handle: (c: string, fn: (e: unknown, ...a: unknown[]) => Promise<unknown>) => void handled.set(c, fn),
      removeHandler: (c: string) => void handled.delete(c),
    });
    const handlers = Object.fromEntries(INVOKE_CHANNELS.map((c) => [c, async (...a: unknown[]) => ({ channel: c, args: a })])) as unknown as Handlers;
    const connected: unknown[] = [];
    const dispose = registerIpc(ipcMain as unknown as IpcMain, handlers, { onConnectEngine: (s) => connected.push(s) });
    assert.deepEqual([...handled.keys()].sort(), [...INVOKE_CHANNELS].sort());
    assert.deepEqual(await handled.get('workbench:write-recovery')!({ senderFrame: APP }, 'abc'), { channel: 'workbench:write-recovery', args: ['abc'] });
    await assert.rejects(handled.get('workbench:write-recovery')!({ senderFrame: { url: 'https://x/', parent: null } }, 'abc'));
    await assert.rejects(handled.get('workbench:write-recovery')!({ senderFrame: APP }, 42));

    ipcMain.emit(SEND_CHANNELS.connectEngine, { senderFrame: { url: 'https://x/', parent: null }, sender: 'stranger' });
    ipcMain.emit(SEND_CHANNELS.connectEngine, { senderFrame: { url: APP.url, parent: {} }, sender: 'subframe' });
    ipcMain.emit(SEND_CHANNELS.connectEngine, { senderFrame: APP, sender: 'page' });
    assert.deepEqual(connected, ['page']);

    dispose();
    assert.equal(handled.size, 0);
    assert.equal(ipcMain.listenerCount(SEND_CHANNELS.connectEngine), 0);
  });
});
