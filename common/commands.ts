/**
 * The one command registry: every action a user can take by menu, shortcut or
 * the command palette is declared here once. The Electron main process builds
 * its native menus from it, the renderer its shortcuts, palette and in-page
 * menus. Keys use "Mod" for Cmd on macOS and Ctrl elsewhere.
 */

/** The menu a command appears in (native menus and the in-page menu bar). */
export type MenuGroup = 'file' | 'edit' | 'view' | 'run' | 'help';

export interface CommandSpec {
  id: string;
  label: string;
  menu?: MenuGroup;
  /** Key chord, e.g. "Mod+S", "Mod+Shift+P", "Shift+Enter". */
  keys?: string;
  /** Menu separator before this item. */
  separatorBefore?: boolean;
  /** Handled by the focused editor when one has focus (e.g. undo inside monaco). */
  editorFirst?: boolean;
}

/** Every command, in menu order. */
export const COMMANDS: readonly CommandSpec[] = [
  { id: 'notebook.new', label: 'New Notebook', menu: 'file', keys: 'Mod+Alt+N' },
  { id: 'notebook.newFromTemplate', label: 'New from Template…', menu: 'file' },
  { id: 'notebook.open', label: 'Open Notebook…', menu: 'file', keys: 'Mod+O' },
  { id: 'data.open', label: 'Open Data…', menu: 'file', keys: 'Mod+Shift+O' },
  { id: 'notebook.save', label: 'Save', menu: 'file', keys: 'Mod+S', separatorBefore: true },
  { id: 'notebook.saveAs', label: 'Save As…', menu: 'file', keys: 'Mod+Shift+S' },
  { id: 'export.html', label: 'Export Report (HTML)…', menu: 'file', separatorBefore: true },
  { id: 'export.csv', label: 'Export Result as CSV…', menu: 'file' },
  { id: 'export.parquet', label: 'Export Result as Parquet…', menu: 'file' },
  { id: 'export.png', label: 'Export Chart as PNG…', menu: 'file' },
  { id: 'export.svg', label: 'Export Chart as SVG…', menu: 'file' },
  { id: 'edit.undo', label: 'Undo', menu: 'edit', keys: 'Mod+Z', editorFirst: true },
  { id: 'edit.redo', label: 'Redo', menu: 'edit', keys: 'Mod+Shift+Z', editorFirst: true },
  { id: 'cell.addSql', label: 'Add SQL Cell', menu: 'edit', keys: 'Mod+Alt+S', separatorBefore: true },
  { id: 'cell.addMarkdown', label: 'Add Markdown Cell', menu: 'edit', keys: 'Mod+Alt+M' },
  { id: 'cell.addChart', label: 'Add Chart Cell', menu: 'edit', keys: 'Mod+Alt+C' },
  { id: 'cell.addParam', label: 'Add Parameter Cell', menu: 'edit', keys: 'Mod+Alt+P' },
  { id: 'cell.addModel', label: 'Add Model Cell', menu: 'edit' },
  { id: 'cell.addData', label: 'Add Data Cell', menu: 'edit' },
  { id: 'cell.delete', label: 'Delete Cell', menu: 'edit', keys: 'Mod+Shift+Backspace', separatorBefore: true },
  { id: 'cell.moveUp', label: 'Move Cell Up', menu: 'edit', keys: 'Mod+Alt+ArrowUp' },
  { id: 'cell.moveDown', label: 'Move Cell Down', menu: 'edit', keys: 'Mod+Alt+ArrowDown' },
  { id: 'cell.run', label: 'Run Cell', menu: 'run', keys: 'Mod+Enter', editorFirst: false },
  { id: 'cell.runAndNext', label: 'Run Cell and Select Next', menu: 'run', keys: 'Shift+Enter' },
  { id: 'notebook.runAll', label: 'Run All', menu: 'run', keys: 'Mod+Shift+Enter' },
  { id: 'run.cancel', label: 'Cancel Run', menu: 'run', keys: 'Mod+.' },
  { id: 'view.palette', label: 'Command Palette…', menu: 'view', keys: 'Mod+Shift+P' },
  { id: 'view.toggleTheme', label: 'Toggle Light/Dark Theme', menu: 'view', keys: 'Mod+Alt+T' },
  { id: 'view.focusNext', label: 'Select Next Cell', menu: 'view', keys: 'Alt+ArrowDown' },
  { id: 'view.focusPrev', label: 'Select Previous Cell', menu: 'view', keys: 'Alt+ArrowUp' },
  { id: 'journey.inspect', label: 'Inspect a Journey…', menu: 'view', keys: 'Mod+J', separatorBefore: true },
  { id: 'help.shortcuts', label: 'Keyboard Shortcuts', menu: 'help', keys: 'Mod+/' },
  { id: 'help.about', label: 'About Attribution Workbench', menu: 'help' },
];

/** A key press as the registry sees it. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Whether `press` is the chord `keys` on this platform (`mac`: Mod = Cmd). */
export function matchesKeys(keys: string, press: KeyPress, mac: boolean): boolean {
  const parts = keys.split('+');
  const key = parts.pop()!;
  const want = { mod: parts.includes('Mod'), shift: parts.includes('Shift'), alt: parts.includes('Alt'), ctrl: parts.includes('Ctrl') };
  const mod = mac ? press.metaKey : press.ctrlKey;
  const ctrl = mac ? press.ctrlKey : false;
  // Shift changes the key of some chords ("/" becomes "?" on US layouts): compare case-insensitively and allow both.
  const k = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  return mod === want.mod && press.shiftKey === want.shift && press.altKey === want.alt && ctrl === want.ctrl && k === (key.length === 1 ? key.toLowerCase() : key);
}

/** The command a key press triggers, if any. */
export function commandForKeys(press: KeyPress, mac: boolean, commands: readonly CommandSpec[] = COMMANDS): CommandSpec | undefined {
  return commands.find((c) => c.keys && matchesKeys(c.keys, press, mac));
}

/** A chord as shown to the user: "⌘⇧S" on macOS, "Ctrl+Shift+S" elsewhere. */
export function keyLabel(keys: string, mac: boolean): string {
  const names: Record<string, [string, string]> = {
    Mod: ['⌘', 'Ctrl'],
    Shift: ['⇧', 'Shift'],
    Alt: ['⌥', 'Alt'],
    Ctrl: ['⌃', 'Ctrl'],
    Enter: ['↩', 'Enter'],
    Backspace: ['⌫', 'Backspace'],
    ArrowUp: ['↑', 'Up'],
    ArrowDown: ['↓', 'Down'],
  };
  const parts = keys.split('+').map((p) => (names[p] ? names[p][mac ? 0 : 1] : p.length === 1 ? p.toUpperCase() : p));
  return mac ? parts.join('') : parts.join('+');
}

/** Electron accelerator syntax for a chord ("CmdOrCtrl+Shift+S"). */
export function accelerator(keys: string): string {
  return keys.replace(/\bMod\b/g, 'CmdOrCtrl').replace('ArrowUp', 'Up').replace('ArrowDown', 'Down').replace(/\+\.$/, '+.');
}

/** Commands of one menu, in order. */
export function menuCommands(menu: MenuGroup, commands: readonly CommandSpec[] = COMMANDS): CommandSpec[] {
  return commands.filter((c) => c.menu === menu);
}
