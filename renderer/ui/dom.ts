/**
 * A tiny DOM builder. Strings always become text nodes, never HTML: user text
 * (file headers, cell sources, error messages) cannot inject markup.
 */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | null | EventListener | Partial<CSSStyleDeclaration>>;

/** Creates an element: `h('button', { class: 'primary', onclick: fn }, 'Run')`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** Appends children (text for strings) to a node. */
export function append(el: Node, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces all children of `el`. */
export function replace(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

/** An inline SVG icon from a fixed set of paths (no fonts, no network). */
export function icon(name: keyof typeof ICONS, title?: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', title ? 'false' : 'true');
  if (title) {
    const t = document.createElementNS(ns, 'title');
    t.textContent = title;
    svg.appendChild(t);
  }
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', ICONS[name]);
  svg.appendChild(p);
  return svg;
}

const ICONS = {
  play: 'M4 2.5v11l9-5.5z',
  stop: 'M3.5 3.5h9v9h-9z',
  plus: 'M7.25 2h1.5v5.25H14v1.5H8.75V14h-1.5V8.75H2v-1.5h5.25z',
  trash: 'M6 1.5h4l.5 1H14V4H2V2.5h3.5zM3.5 5h9l-.7 9.5H4.2z',
  up: 'M8 3l5 6H3z',
  down: 'M8 13l5-6H3z',
  chart: 'M2 13.5h12V15H2zM3 8h2.5v4.5H3zm3.75-5h2.5v9.5h-2.5zM10.5 6H13v6.5h-2.5z',
  table: 'M1.5 2.5h13v11h-13zM3 4v2h4V4zm5.5 0v2H13V4zM3 7.5v2h4v-2zm5.5 0v2H13v-2zM3 11v1h4v-1zm5.5 0v1H13v-1z',
  file: 'M3 1.5h6.5L13 5v9.5H3zm6 1V5.5h3z',
  download: 'M7.25 1.5h1.5v7.4l2.7-2.7 1.06 1.06L8 11.8 3.5 7.26l1.06-1.06 2.7 2.7zM2 13h12v1.5H2z',
  sun: 'M8 4.5a3.5 3.5 0 110 7 3.5 3.5 0 010-7zM7.25 0h1.5v2.5h-1.5zm0 13.5h1.5V16h-1.5zM0 7.25h2.5v1.5H0zm13.5 0H16v1.5h-2.5z',
  search: 'M6.5 1.5a5 5 0 014.03 7.96l3.76 3.75-1.08 1.08-3.75-3.76A5 5 0 116.5 1.5zm0 1.5a3.5 3.5 0 100 7 3.5 3.5 0 000-7z',
  warn: 'M8 1l7 13H1zm-.75 4.5v4h1.5v-4zm0 5.5v1.5h1.5V11z',
  grip: 'M5 3h2v2H5zm4 0h2v2H9zM5 7h2v2H5zm4 0h2v2H9zm-4 4h2v2H5zm4 0h2v2H9z',
} as const;
