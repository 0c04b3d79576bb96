/** User-data files (recent list, crash recovery) and the invoke handlers, with a fake dialog and a real temp folder. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeKeyStore } from '../../main/keyStore.ts';
import { DATA_FILTERS, exportFilters, makeHandlers, type DialogPort } from '../../main/handlers.ts';
import { MAX_RECENT, RecentList, clearRecovery, parseRecent, readRecovery, recoveryPath, samePath, writeRecovery } from '../../main/userFiles.ts';

let dir: string;
before(() => (dir = mkdtempSync(path.join(tmpdir(), 'aw-files-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('recent notebooks', () => {
  it('keeps at most 10, newest first, without duplicates, and persists them', async () => {
    const file = path.join(dir, 'ud1', 'recent.json');
    const r = new RecentList(file);
    for (let i = 0; i < 12; i++) await r.add(`/n/${i}.attrib.md`);
    await r.add('/n/5.attrib.md');
    const list = await r.list();
    assert.equal(list.length, MAX_RECENT);
    assert.deepEqual(list.slice(0, 3).map((e) => e.name), ['5.attrib.md', '11.attrib.md', '10.attrib.md']);
    assert.equal(list.filter((e) => e.path === '/n/5.attrib.md').length, 1);
    assert.ok(!list.some((e) => e.path === '/n/0.attrib.md'));
    assert.deepEqual(await new RecentList(file).list(), list, 'read back from recent.json');
    await r.remove('/n/11.attrib.md');
    assert.ok(!(await new RecentList(file).has('/n/11.attrib.md')));
  });
  it('reads a corrupt or hand-edited list as what is valid in it', async () => {
    const file = path.join(dir, 'bad-recent.json');
    writeFileSync(file, '{not json');
    assert.deepEqual(await new RecentList(file).list(), []);
    assert.deepEqual(parseRecent({ items: [{ path: '/a.md' }, { path: 'relative.md' }, { path: 3 }, 'x', { path: '/a.md' }] }), [{ path: '/a.md', name: 'a.md' }]);
  });
  it('compares paths as the platform does', () => {
    assert.ok(samePath('C:\\Users\\A\\x.md', 'c:\\users\\a\\X.md', 'win32'));
    assert.ok(!samePath('/home/a/x.md', '/home/a/X.md', 'linux'));
    assert.ok(samePath('/home/a/./x.md', '/home/a/x.md', 'linux'));
  });
});

describe('crash recovery', () => {
  it('writes, reads back byte-exact, and clears', async () => {
    const ud = path.join(dir, 'ud2');
    assert.equal(await readRecovery(ud), null);
    const text = '---\nformat: attribution-notebook/1\n---\n# Q3 — résumé ✓\n';
    await writeRecovery(ud, text);
    assert.equal(await readRecovery(ud), text);
    assert.ok(recoveryPath(ud).startsWith(ud));
    await writeRecovery(ud, 'second');
    assert.equal(await readRecovery(ud), 'second');
    await clearRecovery(ud);
    assert.equal(await readRecovery(ud), null);
    await clearRecovery(ud); // twice is fine
  });
  it('keeps the replaced notebook in a slot of its own', async () => {
    const ud = path.join(dir, 'ud3');
    await writeRecovery(ud, 'open one');
    await writeRecovery(ud, 'replaced one', 'replaced');
    assert.equal(await readRecovery(ud), 'open one');
    assert.equal(await readRecovery(ud, 'replaced'), 'replaced one');
    assert.notEqual(recoveryPath(ud, 'replaced'), recoveryPath(ud));
    await clearRecovery(ud);
    assert.equal(await readRecovery(ud, 'replaced'), 'replaced one', 'clearing the open copy leaves the replaced one');
    await clearRecovery(ud, 'replaced');
    assert.equal(await readRecovery(ud, 'replaced'), null);
  });
});

/** A dialog that answers from a queue and records what it was asked. */
function fakeDialog(answers: { canceled: boolean; filePaths?: string[]; filePath?: string }[]) {
  const asked: unknown[] = [];
  const next = () => answers.shift() ?? { canceled: true };
  const dialog: DialogPort = {
    open: async (o) => (asked.push(o), { filePaths: [], ...next() }),
    save: async (o) => (asked.push(o), next()),
  };
  return { dialog, asked };
}

describe('invoke handlers', () => {
  const setup = (answers: Parameters<typeof fakeDialog>[0]) => {
    const ud = mkdtempSync(path.join(dir, 'ud-'));
    const docs = path.join(ud, 'docs');
    mkdirSync(docs);
    const d = fakeDialog(answers);
    const osRecent: string[] = [];
    const h = makeHandlers({
      dialog: d.dialog,
      userData: ud,
      recent: new RecentList(path.join(ud, 'recent.json')),
      addRecentDocument: (p) => osRecent.push(p),
      appInfo: () => ({ name: 'Attribution Workbench', version: '0.1.0', platform: 'linux', electron: '39', chrome: '1', node: '22' }),
      startDir: docs,
      keys: makeKeyStore(path.join(ud, 'keys'), { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '' }),
    });
    return { h, ud, docs, asked: d.asked, osRecent };
  };

  it('pick data files: paths and sizes of the files chosen, [] when cancelled', async () => {
    const { h, docs, asked } = setup([]);
    const a = path.join(docs, 'events.csv');
    writeFileSync(a, 'a,b\n1,2\n');
    const { h: h2, asked: asked2 } = setup([{ canceled: false, filePaths: [a] }]);
    assert.deepEqual(await h2['workbench:pick-data-files'](), [{ name: 'events.csv', size: 8, path: a }]);
    assert.deepEqual((asked2[0] as { filters: unknown }).filters, DATA_FILTERS);
    assert.deepEqual(await h['workbench:pick-data-files'](), []);
    assert.equal(asked.length, 1);
  });

  it('Save As writes atomically where the dialog says, then Save may write there again', async () => {
    const { h, docs, osRecent, asked } = setup([]);
    const target = path.join(docs, 'q3.attrib.md');
    const s = setup([{ canceled: false, filePath: target }]);
    const saved = await s.h['workbench:save-notebook']({ text: 'v1', suggestedName: 'q3' });
    assert.deepEqual(saved, { name: 'q3.attrib.md', path: target });
    assert.equal((s.asked[0] as { defaultPath: string }).defaultPath, path.join(s.docs, 'q3.attrib.md'), 'suggested name gets the notebook suffix');
    assert.equal(readFileSync(target, 'utf8'), 'v1');
    assert.deepEqual(await s.h['workbench:save-notebook']({ text: 'v2', suggestedName: 'q3.attrib.md', path: target }), saved);
    assert.equal(readFileSync(target, 'utf8'), 'v2');
    assert.equal(s.asked.length, 1, 'Save to a granted path asks nothing');
    assert.deepEqual((await s.h['workbench:recent-notebooks']()).map((r) => r.path), [target]);
    assert.deepEqual(s.osRecent, [target, target]);
    // Another session (fresh handlers) never granted that path.
    await assert.rejects(h['workbench:save-notebook']({ text: 'evil', suggestedName: 'x.attrib.md', path: path.join(docs, '..', '.bashrc') }), /save refused/);
    assert.equal(asked.length + osRecent.length, 0);
    assert.equal(await setup([{ canceled: true }]).h['workbench:save-notebook']({ text: 'x', suggestedName: 'a.attrib.md' }), null);
  });

  it('open notebook and open recent: read the file, put it first in the recent list, refuse paths not on it', async () => {
    const { docs } = setup([]);
    const nb = path.join(docs, 'a.attrib.md');
    writeFileSync(nb, '\ufeff# A\n');
    const s = setup([{ canceled: false, filePaths: [nb] }]);
    assert.deepEqual(await s.h['workbench:open-notebook'](), { name: 'a.attrib.md', path: nb, text: '# A\n' });
    assert.deepEqual(await s.h['workbench:open-recent'](nb), { name: 'a.attrib.md', path: nb, text: '# A\n' });
    await assert.rejects(s.h['workbench:open-recent']('/etc/passwd'), /not on the recent list/);
    rmSync(nb);
    await assert.rejects(s.h['workbench:open-recent'](nb), /no longer exists/);
    assert.deepEqual(await s.h['workbench:recent-notebooks'](), []);
    assert.equal(await setup([{ canceled: true }]).h['workbench:open-notebook'](), null);
  });

  it('export writes the bytes where the dialog says; false when cancelled', async () => {
    const { docs } = setup([]);
    const out = path.join(docs, 'credits.csv');
    const s = setup([{ canceled: false, filePath: out }]);
    assert.equal(await s.h['workbench:export-file']({ suggestedName: 'credits.csv', data: new TextEncoder().encode('a,b\n') }), true);
    assert.equal(readFileSync(out, 'utf8'), 'a,b\n');
    assert.deepEqual((s.asked[0] as { filters: unknown }).filters, exportFilters('credits.csv'));
    assert.equal(await setup([{ canceled: true }]).h['workbench:export-file']({ suggestedName: 'x.png', data: new Uint8Array(1) }), false);
    assert.deepEqual(exportFilters('chart.PNG')[0], { name: 'PNG image', extensions: ['png'] });
    assert.deepEqual(exportFilters('noext'), [{ name: 'All files', extensions: ['*'] }]);
  });

  it('recovery and app info go through', async () => {
    const s = setup([]);
    await s.h['workbench:write-recovery']('draft');
    assert.equal(await s.h['workbench:read-recovery'](), 'draft');
    await s.h['workbench:clear-recovery']();
    assert.equal(existsSync(recoveryPath(s.ud)), false);
    assert.equal((await s.h['workbench:app-info']()).version, '0.1.0');
  });
});
