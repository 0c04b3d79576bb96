/**
 * The data cell's answer to "what is a conversion": events of the named
 * types (default purchase), the rows whose flag column is 1/true/yes (a
 * journey file's `is_conversion_purchase`), or every row of a file of orders
 * kept apart from the touches (the CLI's `--conversions FILE` with
 * `--conversions-map field=column`): orders from a shop or CRM beside
 * sessions from analytics. For the orders file the mapping is shown as the
 * importer made it (the orders layout's aliases: Shopify's order export maps
 * as it is) and each field can be set to another column of that file. Every
 * change re-runs the import; a mapping that does not fit gives the
 * importer's one-line error at the cell.
 */
import type { Cell, DataCell } from '../../common/notebook/types.ts';
import type { ImportReport } from '../../common/import/importer.ts';
import { resolveMapping, type ColumnMapping } from '../../common/import/columns.ts';
import { h, icon, replace } from '../ui/dom.ts';
import type { ViewHost } from './cellViews.ts';

/** The select's value for "orders from another file" (no column name starts with a NUL). */
export const ORDERS_CHOICE = '\u0000orders';

/** The fields an orders file feeds, as the CLI's --conversions-map names them (with words where the name is not plain). */
const ORDER_FIELDS: [keyof ColumnMapping, string][] = [
  ['event_id', 'order id'],
  ['event_ts', 'order time'],
  ['user_id', ''],
  ['anon_id', ''],
  ['revenue', ''],
  ['currency', ''],
];

/** A path's file name (the importer names files by it). */
const baseName = (p: string) => p.replace(/^.*[/\\]/, '');

/**
 * The Conversions row's controls. `r` is the cell's last good import (absent
 * after an error: then only what the cell itself says is offered);
 * `rerender` puts the select back when choosing an orders file is cancelled.
 */
export function conversionsControl(c: DataCell, r: ImportReport | undefined, host: ViewHost, rerender: () => void): Node[] {
  const flag = c.options.conversionFlag;
  const orders = c.conversionPaths ?? [];
  const columns = r ? ([...new Set([...Object.values(r.mapping), ...r.unusedColumns, ...(flag ? [flag] : [])])].filter(Boolean) as string[]) : flag ? [flag] : [];
  // kept within its column: a long column name must not run over the mapping table beside it
  const by = h('select', { class: 'inp', 'aria-label': 'what a conversion is', style: { maxWidth: '100%' },
    title: orders.length ? 'every row of the orders file is a conversion, joined to the people of the events by user id or anonymous id' : flag ? `rows where ${flag} is 1, true or yes are conversions` : 'events of the named types are conversions' },
    h('option', { value: '' }, 'events named'),
    columns.map((col) => h('option', { value: col, selected: !orders.length && flag === col }, `${col} = 1/true/yes`)),
    h('option', { value: ORDERS_CHOICE, selected: orders.length > 0 }, orders.length ? 'orders from another file' : 'orders from another file…')) as HTMLSelectElement;
  by.addEventListener('change', () => {
    if (by.value === ORDERS_CHOICE) {
      void host.pickConversions(c.id).then((picked) => picked || rerender());
      return;
    }
    // another definition: the orders file and its mapping go (a notebook keeps only what is used)
    const options = { ...c.options, conversionFlag: by.value || undefined, conversionEvents: by.value ? undefined : c.options.conversionEvents, conversionsMap: undefined };
    host.update(c.id, { options, conversionPaths: undefined } as Partial<Cell>, { run: true });
  });
  if (orders.length) {
    const names = orders.map(baseName);
    const label = names.length > 1 ? h('span', { title: orders.join('\n') }, `${names[0]} and ${names.length - 1} more`) : h('span', { title: orders[0] }, names[0]);
    const event = (c.options.conversionEvents ?? ['purchase'])[0];
    return [by, h('div', { class: 'orders-file', 'data-testid': 'orders-file' }, icon('file'), ' ', label, ' ',
      h('button', { class: 'btn small', title: 'Another file of orders (one or several)', onclick: () => void host.pickConversions(c.id) }, 'Choose another…')),
    h('div', { class: 'note' }, `Each order is a conversion (${event}) of the person whose user id or anonymous id it carries.`)];
  }
  const names = h('input', { class: 'inp', 'aria-label': 'conversion event names', placeholder: 'purchase', value: (c.options.conversionEvents ?? []).join(', '), style: { width: '14em', maxWidth: '100%' } }) as HTMLInputElement;
  names.addEventListener('change', () => {
    const list = names.value.split(',').map((x) => x.trim()).filter(Boolean);
    host.update(c.id, { options: { ...c.options, conversionEvents: list.length ? list : undefined } } as Partial<Cell>, { run: true });
  });
  return flag ? [by] : [by, document.createTextNode(' '), names];
}

/**
 * The orders file's mapping: each field and the column of that file feeding
 * it, from selects filled from the file's header. The columns come from the
 * last import when it read this file, else from the engine (the file's
 * header only), so a file that did not import can still be mapped.
 */
export function ordersMapping(c: DataCell, r: ImportReport | undefined, host: ViewHost): HTMLElement | null {
  const path = c.conversionPaths?.[0];
  if (!path) return null;
  const name = baseName(path);
  // the body is replaced by the table once the columns are known (it must not keep a note's grey)
  const body = h('div', {}, h('div', { class: 'note' }, 'Reading the columns of ', name, '…'));
  const box = h('div', { 'data-testid': 'orders-mapping' }, h('h3', { class: 'sub-h' }, 'Orders file columns'), body);
  const fill = (columns: string[]) => {
    // what the orders layout's aliases find by themselves; the user's choices override field by field
    const detected = resolveMapping(columns, { presetId: 'orders' }).mapping;
    const map = c.options.conversionsMap ?? {};
    const own = ORDER_FIELDS.filter(([k]) => map[k] !== undefined && map[k] !== (detected[k] ?? '')).length;
    const rows = ORDER_FIELDS.map(([k, words]) => {
      const value = map[k] ?? detected[k] ?? '';
      const mine = map[k] !== undefined && map[k] !== (detected[k] ?? '');
      const sel = h('select', { class: 'inp', 'aria-label': `orders column for ${k}`, style: { width: mine ? 'calc(100% - 1.2em)' : '100%' } }, h('option', { value: '' }, '(none)'),
        columns.map((col) => h('option', { value: col, selected: col === value }, col))) as HTMLSelectElement;
      sel.addEventListener('change', () => {
        const next: Record<string, string> = { ...map, [k]: sel.value };
        // what the aliases would pick anyway is not written down: the notebook keeps the user's own choices
        if (sel.value === (detected[k] ?? '')) delete next[k];
        host.update(c.id, { options: { ...c.options, conversionsMap: Object.keys(next).length ? next : undefined } } as Partial<Cell>, { run: true });
      });
      return h('tr', {}, h('td', {}, k, words ? h('span', { class: 'note' }, ` (${words})`) : null), h('td', {}, sel, mine ? h('span', { class: 'note', title: 'set by you (saved in the notebook)' }, ' ✎') : null));
    });
    replace(body,
      h('table', { class: 'simple', style: { tableLayout: 'fixed' } }, h('tr', {}, h('th', { style: { width: '40%' } }, 'field'), h('th', {}, `column of ${name}`)), rows),
      h('div', { class: 'note', style: { marginTop: '6px' } }, own
        ? `${own} of ${ORDER_FIELDS.length} fields set by you; the others found by their column names.`
        : Object.keys(detected).length
          ? 'Found by the column names (a Shopify order export maps as it is). Change a field to use another column.'
          : `No column of ${name} has a name this app knows: choose at least the order time and a user id or anonymous id.`));
  };
  const known = r?.conversionMapping;
  if (known && known.file === name) fill(known.columns);
  else {
    host.conversionColumns(c.id).then(fill, (e: Error) => replace(body, h('div', { class: 'note' }, `The columns of ${name} cannot be read: ${e.message.split('\n')[0]}`)));
  }
  return box;
}
