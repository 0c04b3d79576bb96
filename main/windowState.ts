/**
 * Window bounds and maximized state, saved to userData/window-state.json on
 * close and restored on launch, clamped so the window is always on a display
 * that exists now (a monitor unplugged since the last run must not leave the
 * window off screen). Pure apart from the two file functions.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { atomicWriteFileSync } from './atomicWrite.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

/** A display as Electron's screen module gives it (only the work area matters). */
export interface DisplayLike {
  workArea: Rect;
}

export const DEFAULT_SIZE = { width: 1280, height: 840 };
export const MIN_SIZE = { width: 640, height: 480 };

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e6;

/** A saved state when `v` has the right shape, else null (a hand-edited or corrupt file is ignored). */
export function parseWindowState(v: unknown): WindowState | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as { bounds?: Partial<Rect>; maximized?: unknown };
  const b = o.bounds;
  if (!b || !isInt(b.x) || !isInt(b.y) || !isInt(b.width) || !isInt(b.height)) return null;
  if (b.width <= 0 || b.height <= 0) return null;
  return { bounds: { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) }, maximized: o.maximized === true };
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function centred(size: { width: number; height: number }, wa: Rect): Rect {
  const width = Math.min(size.width, wa.width);
  const height = Math.min(size.height, wa.height);
  return { x: wa.x + Math.floor((wa.width - width) / 2), y: wa.y + Math.floor((wa.height - height) / 2), width, height };
}

/**
 * Where the window opens: the saved bounds moved and shrunk to lie wholly in
 * the work area of the display they overlap most; centred on the primary
 * display when they overlap none (or nothing was saved). Never smaller than
 * MIN_SIZE unless the display itself is.
 */
export function clampToDisplays(saved: WindowState | null, displays: readonly DisplayLike[], primary: DisplayLike): WindowState {
  if (!saved) return { bounds: centred(DEFAULT_SIZE, primary.workArea), maximized: false };
  let best: DisplayLike | undefined;
  let bestArea = 0;
  for (const d of displays) {
    const a = overlap(saved.bounds, d.workArea);
    if (a > bestArea) {
      best = d;
      bestArea = a;
    }
  }
  if (!best) return { bounds: centred(saved.bounds, primary.workArea), maximized: saved.maximized };
  const wa = best.workArea;
  const width = Math.min(Math.max(saved.bounds.width, MIN_SIZE.width), wa.width);
  const height = Math.min(Math.max(saved.bounds.height, MIN_SIZE.height), wa.height);
  const x = Math.min(Math.max(saved.bounds.x, wa.x), wa.x + wa.width - width);
  const y = Math.min(Math.max(saved.bounds.y, wa.y), wa.y + wa.height - height);
  return { bounds: { x, y, width, height }, maximized: saved.maximized };
}

/** The window-state file in the user-data folder. */
export function windowStatePath(userData: string): string {
  return path.join(userData, 'window-state.json');
}

/** Reads the saved state (null when missing or malformed). */
export function loadWindowState(file: string): WindowState | null {
  try {
    return parseWindowState(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

/** Saves the state atomically and synchronously (it runs while the window closes). */
export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  atomicWriteFileSync(file, JSON.stringify(state, null, 2) + '\n');
}
