/** The command palette, simple dialogs and toasts. */
import type { CommandSpec } from '../../common/commands.ts';
import { keyLabel } from '../../common/commands.ts';
import { h, replace } from '../ui/dom.ts';

/** Opens the palette over `commands`; Enter runs the highlighted one, Escape closes. */
export function openPalette(commands: readonly CommandSpec[], mac: boolean, run: (id: string) => void): void {
  document.querySelector('.overlay')?.remove();
  const input = h('input', { placeholder: 'Type a command…', 'aria-label': 'Command', spellcheck: 'false' }) as HTMLInputElement;
  const list = h('ul', { role: 'listbox' });
  let index = 0;
  let shown: CommandSpec[] = [];
  const close = () => overlay.remove();
  const paint = () => {
    const q = input.value.trim().toLowerCase();
    shown = commands.filter((c) => !q || q.split(/\s+/).every((w) => c.label.toLowerCase().includes(w) || c.id.includes(w)));
    index = Math.min(index, Math.max(0, shown.length - 1));
    replace(list, shown.length ? shown.map((c, i) => h('li', { class: i === index ? 'on' : '', role: 'option', onclick: () => {
      close();
      run(c.id);
    } }, h('span', {}, c.label), c.keys ? h('span', { class: 'kbd' }, keyLabel(c.keys, mac)) : null)) : h('li', {}, 'No matching command'));
  };
  input.addEventListener('input', () => {
    index = 0;
    paint();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') index = Math.min(shown.length - 1, index + 1);
    else if (e.key === 'ArrowUp') index = Math.max(0, index - 1);
    else if (e.key === 'Escape') return close();
    else if (e.key === 'Enter' && shown[index]) {
      // the key must not go on to whatever the command focuses (a dialog's first button would take it as a click)
      e.preventDefault();
      close();
      run(shown[index].id);
      return;
    } else return;
    e.preventDefault();
    paint();
  });
  const overlay = h('div', { class: 'overlay', onclick: (e: Event) => e.target === overlay && close() }, h('div', { class: 'palette', role: 'dialog', 'aria-label': 'Command palette' }, input, list));
  document.body.appendChild(overlay);
  paint();
  input.focus();
}

/**
 * A modal with a title and content; Escape or the button closes it. `wide` is
 * for a table's rows; `onClose` frees what the content holds (a grid's pages).
 */
export function showDialog(title: string, content: Node, opts: { wide?: boolean; onClose?: () => void } = {}): void {
  document.querySelector('.overlay')?.remove();
  const close = () => {
    overlay.remove();
    opts.onClose?.();
  };
  const overlay = h('div', { class: `overlay${opts.wide ? ' wide' : ''}`, onclick: (e: Event) => e.target === overlay && close() },
    h('div', { class: `dialog${opts.wide ? ' wide' : ''}`, role: 'dialog', 'aria-label': title }, h('h2', {}, title), content, h('div', { style: { textAlign: 'right', marginTop: '14px' } }, h('button', { class: 'btn', onclick: close }, 'Close'))));
  overlay.addEventListener('keydown', (e) => e.key === 'Escape' && close());
  document.body.appendChild(overlay);
  (overlay.querySelector('button') as HTMLElement | null)?.focus();
}

let toasts: HTMLElement | undefined;

/** A short message at the bottom right, with optional actions (e.g. Undo). */
export function toast(text: string, actions: [string, () => void][] = []): void {
  if (!toasts) {
    toasts = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(toasts);
  }
  const t: HTMLElement = h('div', { class: 'toast' }, h('span', {}, text), actions.map(([label, fn]) => h('button', { class: 'btn small', onclick: () => {
    t.remove();
    fn();
  } }, label)));
  toasts.appendChild(t);
  setTimeout(() => t.remove(), actions.length ? 8000 : 3500);
}

/**
 * A modal question with buttons; resolves with the chosen button's value, or
 * `dismissed` on Escape or a click outside. The button marked `primary` takes
 * the focus, so Enter answers with it and never with a destructive choice.
 */
export function askChoice<T extends string>(title: string, text: string, choices: { value: T; label: string; primary?: boolean; danger?: boolean }[], dismissed: T): Promise<T> {
  document.querySelector('.overlay')?.remove();
  return new Promise((resolve) => {
    const done = (v: T) => {
      overlay.remove();
      resolve(v);
    };
    const buttons = choices.map((c) => h('button', { class: `btn${c.primary ? ' primary' : ''}${c.danger ? ' danger' : ''}`, 'data-choice': c.value, onclick: () => done(c.value) }, c.label));
    const overlay: HTMLElement = h('div', { class: 'overlay', onclick: (e: Event) => e.target === overlay && done(dismissed) },
      h('div', { class: 'dialog', role: 'alertdialog', 'aria-modal': 'true', 'aria-label': title },
        h('h2', {}, title), h('p', {}, text), h('div', { class: 'dialog-actions' }, buttons)));
    overlay.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        done(dismissed);
      }
    });
    document.body.appendChild(overlay);
    (buttons[Math.max(0, choices.findIndex((c) => c.primary))] as HTMLElement | undefined)?.focus();
  });
}
