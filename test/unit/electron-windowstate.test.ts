/** Window state: parsing, clamping to a display that exists, and the file round trip. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_SIZE, MIN_SIZE, clampToDisplays, loadWindowState, parseWindowState, saveWindowState, windowStatePath, type Rect } from '../../main/windowState.ts';

const primary = { workArea: { x: 0, y: 25, width: 1920, height: 1055 } };
const right = { workArea: { x: 1920, y: 0, width: 1280, height: 1024 } };
const inside = (b: Rect, wa: Rect) => b.x >= wa.x && b.y >= wa.y && b.x + b.width <= wa.x + wa.width && b.y + b.height <= wa.y + wa.height;

describe('clampToDisplays', () => {
  it('keeps bounds that fit', () => {
    const s = { bounds: { x: 100, y: 100, width: 1200, height: 800 }, maximized: false };
    assert.deepEqual(clampToDisplays(s, [primary, right], primary), s);
  });
  it('centres the default size on the primary display when nothing was saved', () => {
    const s = clampToDisplays(null, [primary], primary);
    assert.deepEqual(s.bounds, { x: 320, y: 25 + Math.floor((1055 - DEFAULT_SIZE.height) / 2), width: DEFAULT_SIZE.width, height: DEFAULT_SIZE.height });
    assert.equal(s.maximized, false);
  });
  it('brings back a window left on a display that is gone', () => {
    const s = clampToDisplays({ bounds: { x: 2500, y: 100, width: 1000, height: 700 }, maximized: true }, [primary], primary);
    assert.ok(inside(s.bounds, primary.workArea));
    assert.equal(s.bounds.width, 1000);
    assert.equal(s.maximized, true);
  });
  it('moves a half-visible window wholly onto the display it overlaps most', () => {
    const s = clampToDisplays({ bounds: { x: 1700, y: 500, width: 900, height: 700 }, maximized: false }, [primary, right], primary);
    assert.ok(inside(s.bounds, right.workArea), JSON.stringify(s.bounds));
    const t = clampToDisplays({ bounds: { x: -400, y: -300, width: 800, height: 600 }, maximized: false }, [primary], primary);
    assert.deepEqual(t.bounds, { x: 0, y: 25, width: 800, height: 600 });
  });
  it('shrinks a window larger than its display, and grows one below the minimum', () => {
    const big = clampToDisplays({ bounds: { x: 0, y: 0, width: 5000, height: 3000 }, maximized: false }, [primary], primary);
    assert.deepEqual(big.bounds, primary.workArea);
    const small = clampToDisplays({ bounds: { x: 10, y: 30, width: 100, height: 50 }, maximized: false }, [primary], primary);
    assert.equal(small.bounds.width, MIN_SIZE.width);
    assert.equal(small.bounds.height, MIN_SIZE.height);
  });
});

describe('window-state file', () => {
  it('ignores malformed states', () => {
    for (const v of [null, 3, 'x', {}, { bounds: { x: 0, y: 0, width: 0, height: 10 } }, { bounds: { x: 'a', y: 0, width: 9, height: 9 } }, { bounds: { x: NaN, y: 0, width: 9, height: 9 } }]) {
      assert.equal(parseWindowState(v), null, JSON.stringify(v));
    }
    assert.deepEqual(parseWindowState({ bounds: { x: 1.4, y: 2, width: 800, height: 600 }, maximized: 'yes' }), { bounds: { x: 1, y: 2, width: 800, height: 600 }, maximized: false });
  });
  it('round-trips through userData, and a corrupt file reads as nothing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aw-ws-'));
    try {
      const f = windowStatePath(path.join(dir, 'userData'));
      assert.equal(loadWindowState(f), null);
      const s = { bounds: { x: 5, y: 6, width: 900, height: 700 }, maximized: true };
      saveWindowState(f, s);
      assert.deepEqual(loadWindowState(f), s);
      writeFileSync(f, '{"bounds": {');
      assert.equal(loadWindowState(f), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
