/** The native menu template from the command registry, in plain Node. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MenuItemConstructorOptions } from 'electron';
import { COMMANDS, menuCommands } from '../../common/commands.ts';
import { MENU_GROUPS, buildMenuTemplate } from '../../main/menu.ts';

/** Electron's accelerator grammar (docs/api/accelerator.md): modifiers, then one key code. */
const MODIFIERS = new Set(['Command', 'Cmd', 'Control', 'Ctrl', 'CommandOrControl', 'CmdOrCtrl', 'Alt', 'Option', 'AltGr', 'Shift', 'Super', 'Meta']);
const NAMED_KEYS = new Set(['Plus', 'Space', 'Tab', 'Capslock', 'Numlock', 'Scrolllock', 'Backspace', 'Delete', 'Insert', 'Return', 'Enter', 'Up', 'Down', 'Left', 'Right', 'Home', 'End', 'PageUp', 'PageDown', 'Escape', 'Esc', 'PrintScreen']);
function isAccelerator(a: string): boolean {
  const parts = a.split('+');
  // "CmdOrCtrl++" would split into an empty key: use "Plus".
  const key = parts.pop()!;
  if (!parts.every((m) => MODIFIERS.has(m)) || new Set(parts).size !== parts.length) return false;
  return /^[A-Z0-9]$/.test(key) || /^F([1-9]|1\d|2[0-4])$/.test(key) || NAMED_KEYS.has(key) || /^[)!@#$%^&*(:;<,_\->.?/~`{\][|\\}"=]$/.test(key);
}

const sent: string[] = [];
const local: string[] = [];
const opts = { appName: 'Attribution Workbench', send: (id: string) => sent.push(id), local: { 'help.about': () => local.push('about') }, devTools: false };
const linux = buildMenuTemplate({ ...opts, platform: 'linux' });
const mac = buildMenuTemplate({ ...opts, platform: 'darwin' });

const sub = (m: MenuItemConstructorOptions) => (m.submenu ?? []) as MenuItemConstructorOptions[];
const byLabel = (t: MenuItemConstructorOptions[], label: string) => t.find((m) => m.label === label)!;
const commandItems = (t: MenuItemConstructorOptions[]) => t.flatMap(sub).filter((i) => i.id && COMMANDS.some((c) => c.id === i.id));

describe('menu template from COMMANDS', () => {
  it('has File, Edit, View, Run, Help in order (and the app menu first on macOS)', () => {
    assert.deepEqual(linux.map((m) => m.label), ['File', 'Edit', 'View', 'Run', 'Help']);
    assert.equal(mac[0].label, 'Attribution Workbench');
    assert.deepEqual(
      mac.slice(1).map((m) => m.label ?? m.role),
      ['File', 'Edit', 'View', 'windowMenu', 'Run', 'Help'],
    );
  });

  it('puts every command that names a menu in that menu, in registry order, once', () => {
    for (const t of [linux, mac]) {
      for (const { group, label } of MENU_GROUPS) {
        const ids = sub(byLabel(t, label)).filter((i) => i.id).map((i) => i.id);
        assert.deepEqual(ids, menuCommands(group).map((c) => c.id), label);
      }
      assert.equal(commandItems(t).length, COMMANDS.filter((c) => c.menu).length);
    }
  });

  it('labels items as the registry does and puts separators where it says', () => {
    const file = sub(byLabel(linux, 'File'));
    const save = file.findIndex((i) => i.id === 'notebook.save');
    assert.equal(file[save].label, 'Save');
    assert.equal(file[save - 1].type, 'separator');
    assert.notEqual(file[0].type, 'separator');
  });

  it('converts every chord to a valid Electron accelerator, shown but left to the page', () => {
    for (const c of COMMANDS.filter((c) => c.menu)) {
      const item = commandItems(linux).find((i) => i.id === c.id)!;
      if (!c.keys) {
        assert.equal(item.accelerator, undefined, c.id);
        continue;
      }
      const a = String(item.accelerator);
      assert.ok(isAccelerator(a), `${c.id}: ${c.keys} -> ${a}`);
      assert.ok(!/Mod|Arrow/.test(a), a);
      assert.equal(item.registerAccelerator, false, c.id);
    }
    const acc = (id: string) => commandItems(linux).find((i) => i.id === id)!.accelerator;
    assert.equal(acc('notebook.save'), 'CmdOrCtrl+S');
    assert.equal(acc('view.palette'), 'CmdOrCtrl+Shift+P');
    assert.equal(acc('cell.moveUp'), 'CmdOrCtrl+Alt+Up');
    assert.equal(acc('view.focusNext'), 'Alt+Down');
    assert.equal(acc('run.cancel'), 'CmdOrCtrl+.');
    assert.equal(acc('cell.delete'), 'CmdOrCtrl+Shift+Backspace');
  });

  it('sends the command id on click; Help > About is handled in main', () => {
    const click = (id: string) => (commandItems(linux).find((i) => i.id === id)!.click as () => void)();
    click('notebook.save');
    click('cell.runAndNext');
    click('help.about');
    assert.deepEqual(sent, ['notebook.save', 'cell.runAndNext']);
    assert.deepEqual(local, ['about']);
  });

  it('has the platform items: Quit in File elsewhere, the app menu on macOS, clipboard roles in Edit', () => {
    assert.ok(sub(byLabel(linux, 'File')).some((i) => i.role === 'quit'));
    assert.ok(!sub(byLabel(mac, 'File')).some((i) => i.role === 'quit'));
    assert.deepEqual(sub(mac[0]).filter((i) => i.role).map((i) => i.role), ['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit']);
    for (const role of ['cut', 'copy', 'paste', 'selectAll']) assert.ok(sub(byLabel(linux, 'Edit')).some((i) => i.role === role), role);
  });

  it('offers developer tools only when asked (unpackaged builds)', () => {
    const roles = (t: MenuItemConstructorOptions[]) => sub(byLabel(t, 'View')).map((i) => i.role);
    assert.ok(!roles(linux).includes('toggleDevTools'));
    assert.ok(roles(buildMenuTemplate({ ...opts, platform: 'linux', devTools: true })).includes('toggleDevTools'));
  });
});
