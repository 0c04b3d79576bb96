/**
 * The native menu bar, built from the one command registry
 * (common/commands.ts): one submenu per menu group, in registry order, with
 * separators and accelerators from the registry. Choosing an item sends its
 * command id to the renderer over TO_RENDERER.menuCommand, except the few
 * handled in main (`local`, e.g. Help > About). Pure: returns a template for
 * Menu.buildFromTemplate (test/unit/electron-menu.test.ts).
 *
 * Shortcuts: the renderer handles key chords itself (same registry, and it
 * knows when an editor has focus). So the accelerators are shown but not
 * registered on Windows and Linux (`registerAccelerator: false`); on macOS,
 * where key equivalents are always live, the page sees the key first and a
 * chord it handles (and preventDefaults) never reaches the menu.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { COMMANDS, accelerator, menuCommands, type CommandSpec, type MenuGroup } from '../common/commands.ts';

/** Menu groups in menu-bar order, with their titles. */
export const MENU_GROUPS: readonly { group: MenuGroup; label: string }[] = [
  { group: 'file', label: 'File' },
  { group: 'edit', label: 'Edit' },
  { group: 'view', label: 'View' },
  { group: 'run', label: 'Run' },
  { group: 'help', label: 'Help' },
];

export interface MenuOptions {
  platform: string;
  appName: string;
  /** Sends a command id to the renderer. */
  send(id: string): void;
  /** Commands main handles itself (not sent), by id. */
  local?: Readonly<Record<string, () => void>>;
  /** Adds Reload and Toggle Developer Tools (unpackaged builds). */
  devTools: boolean;
  commands?: readonly CommandSpec[];
}

/** The menu item of one command. */
export function commandItem(c: CommandSpec, opts: Pick<MenuOptions, 'send' | 'local'>): MenuItemConstructorOptions {
  const item: MenuItemConstructorOptions = {
    id: c.id,
    label: c.label,
    click: () => {
      const local = opts.local?.[c.id];
      if (local) local();
      else opts.send(c.id);
    },
  };
  if (c.keys) {
    item.accelerator = accelerator(c.keys);
    item.registerAccelerator = false;
  }
  return item;
}

function groupItems(group: MenuGroup, opts: MenuOptions): MenuItemConstructorOptions[] {
  const out: MenuItemConstructorOptions[] = [];
  for (const c of menuCommands(group, opts.commands ?? COMMANDS)) {
    if (c.separatorBefore && out.length) out.push({ type: 'separator' });
    out.push(commandItem(c, opts));
  }
  return out;
}

/** The whole menu bar. */
export function buildMenuTemplate(opts: MenuOptions): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin';
  const sep: MenuItemConstructorOptions = { type: 'separator' };
  const extra: Record<MenuGroup, MenuItemConstructorOptions[]> = {
    file: mac ? [] : [sep, { role: 'quit' }],
    // Clipboard roles make cut/copy/paste work in text fields (and are the only way on macOS).
    edit: [sep, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    view: [
      sep,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      sep,
      { role: 'togglefullscreen' },
      ...(opts.devTools ? [sep, { role: 'reload' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
    run: [],
    help: [],
  };
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: opts.appName,
      submenu: [{ role: 'about' }, sep, { role: 'services' }, sep, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, sep, { role: 'quit' }],
    });
  }
  for (const { group, label } of MENU_GROUPS) {
    const items = [...groupItems(group, opts), ...extra[group]];
    if (!items.length) continue;
    template.push({ label, id: `menu.${group}`, submenu: items, ...(group === 'help' ? { role: 'help' as const } : {}) });
    if (mac && group === 'view') template.push({ role: 'windowMenu' });
  }
  return template;
}
