/** Notebook data paths (relative, forward slashes; POSIX and Windows inputs) and cell ids. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAbsolutePath, newCellId, relativeDataPath, resolveDataPath } from '../../common/notebook/format.ts';
import { cellIdCounter } from '../../common/notebook/ids.ts';

describe('notebook data paths', () => {
  it('relativeDataPath: POSIX', () => {
    assert.equal(relativeDataPath('/home/ann/nb', '/home/ann/nb/sample.parquet'), 'sample.parquet');
    assert.equal(relativeDataPath('/home/ann/nb', '/home/ann/data/x.csv'), '../data/x.csv');
    assert.equal(relativeDataPath('/home/ann/nb/', '/home/ann/nb/./sub//y.csv'), 'sub/y.csv');
    assert.equal(relativeDataPath('/a/b/c', '/a/x/../b/y'), '../y');
    assert.equal(relativeDataPath('/a/b', '/a/b'), '.');
    assert.equal(relativeDataPath('/', '/x/y'), 'x/y');
    assert.equal(relativeDataPath('/x/y', '/z'), '../../z');
    // POSIX names are case-sensitive: Ann and ann are different folders.
    assert.equal(relativeDataPath('/home/Ann', '/home/ann/x'), '../ann/x');
  });

  it('relativeDataPath: Windows drives and shares, any case and either slash', () => {
    assert.equal(relativeDataPath('C:\\Users\\Ann\\nb', 'c:\\users\\ann\\Data\\x.csv'), '../Data/x.csv');
    assert.equal(relativeDataPath('C:/Users/Ann/nb', 'C:/Users/Ann/nb/x.csv'), 'x.csv');
    assert.equal(relativeDataPath('C:\\', 'C:\\a\\b.csv'), 'a/b.csv');
    assert.equal(relativeDataPath('\\\\srv\\share\\nb', '\\\\SRV\\share\\nb\\x.csv'), 'x.csv');
    assert.equal(relativeDataPath('\\\\srv\\share\\nb', '\\\\srv\\other\\x.csv'), null);
    assert.equal(relativeDataPath('C:\\Users\\Ann\\nb', 'D:\\x.csv'), null);
    assert.equal(relativeDataPath('/home/a', 'C:\\x'), null);
    assert.equal(relativeDataPath('relative/dir', '/x'), null);
  });

  it('resolveDataPath writes the folder\'s convention and never climbs above the root', () => {
    assert.equal(resolveDataPath('/home/ann/nb', 'sample.parquet'), '/home/ann/nb/sample.parquet');
    assert.equal(resolveDataPath('/home/ann/nb', '../data/x.csv'), '/home/ann/data/x.csv');
    assert.equal(resolveDataPath('/home/ann/nb', './a/./b/../c.csv'), '/home/ann/nb/a/c.csv');
    assert.equal(resolveDataPath('/home', '../../../x'), '/x');
    assert.equal(resolveDataPath('/nb', 'a\\b.csv'), '/nb/a/b.csv');
    assert.equal(resolveDataPath('C:\\Users\\Ann\\nb', '../data/x.csv'), 'C:\\Users\\Ann\\data\\x.csv');
    assert.equal(resolveDataPath('c:\\', 'x.csv'), 'C:\\x.csv');
    assert.equal(resolveDataPath('\\\\srv\\share\\nb', 'sub/x.csv'), '\\\\srv\\share\\nb\\sub\\x.csv');
    assert.throws(() => resolveDataPath('/nb', '/etc/passwd'), /is absolute/);
    assert.throws(() => resolveDataPath('/nb', 'C:\\x'), /is absolute/);
    assert.throws(() => resolveDataPath('nb', 'x.csv'), /not an absolute path/);
  });

  it('relative then resolved is the file again', () => {
    const cases: [string, string][] = [
      ['/home/ann/nb', '/home/ann/data/2024/x.parquet'],
      ['/home/ann/nb', '/opt/y.csv'],
      ['C:\\Users\\Ann\\nb', 'C:\\Users\\Ann\\nb\\sub\\z.csv'],
      ['C:\\Users\\Ann\\nb', 'C:\\Data\\z.csv'],
    ];
    for (const [dir, f] of cases) assert.equal(resolveDataPath(dir, relativeDataPath(dir, f)!), f);
  });

  it('isAbsolutePath', () => {
    for (const p of ['/x', 'C:\\x', 'c:/x', '\\\\srv\\s', '\\x']) assert.equal(isAbsolutePath(p), true, p);
    for (const p of ['x', './x', '../x', 'sub/x.csv', '']) assert.equal(isAbsolutePath(p), false, p);
  });
});

describe('cell ids', () => {
  it('are c + a base-36 counter above every generated id and the floor', () => {
    assert.equal(newCellId([]), 'c1');
    assert.equal(newCellId(['c1', 'c2']), 'c3');
    assert.equal(newCellId(['c9']), 'ca');
    assert.equal(newCellId(['cz']), 'c10');
    assert.equal(newCellId(['c2', 'intro', 'x_9', 'C7']), 'c3');
    assert.equal(newCellId(['c5'], 10), 'cb');
    assert.equal(cellIdCounter('c10'), 36);
    assert.equal(cellIdCounter('intro'), 0);
  });

  it('never collide, whatever ids are there', () => {
    const ids = new Set(['c1', 'c01', 'c0', 'c', 'cc', 'c-1', 'c1x']);
    for (let i = 0; i < 500; i++) {
      const id = newCellId(ids);
      assert.ok(!ids.has(id), id);
      assert.match(id, /^c[0-9a-z]+$/);
      ids.add(id);
    }
  });
});
