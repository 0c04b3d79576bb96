/**
 * Markdown cells, from a safe subset: headings, paragraphs, lists, block
 * quotes, fenced code, **bold**, *italic*, `code` and [links](…) shown as
 * text with their target in a tooltip (a notebook cannot open URLs). No HTML
 * is ever parsed: text stays text.
 *
 * One parser (parseMarkdown) feeds two renderers: renderMarkdown builds DOM
 * nodes for the page, markdownHtml writes escaped HTML text for the static
 * report (which has no DOM to build with and must stay a plain file).
 */
import { h } from './dom.ts';

/** An inline span: plain text, `code`, **strong**, *em*, or a link shown as its text. */
export type MdInline =
  | string
  | { t: 'code'; text: string }
  | { t: 'strong' | 'em'; c: MdInline[] }
  | { t: 'link'; text: string; href: string };

/** A block of the subset. Headings are one level below the source's: the page's h1 is the notebook's title. */
export type MdBlock =
  | { t: 'p' | 'quote'; c: MdInline[] }
  | { t: 'h'; level: 2 | 3 | 4 | 5 | 6; c: MdInline[] }
  | { t: 'ul' | 'ol'; items: MdInline[][] }
  | { t: 'pre'; text: string };

/** Inline spans: code, bold, italic, links. */
function inline(text: string): MdInline[] {
  const out: MdInline[] = [];
  const re = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const t = m[0];
    if (m[1]) out.push({ t: 'code', text: t.slice(1, -1) });
    else if (m[2]) out.push({ t: 'strong', c: inline(t.slice(2, -2)) });
    else if (m[3]) out.push({ t: 'em', c: inline(t.slice(1, -1)) });
    else {
      const lm = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(t)!;
      out.push({ t: 'link', text: lm[1], href: lm[2] });
    }
    last = m.index + t.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const ITEM = /^\s*([-*+]|\d+[.)])\s+/;

/** Parses Markdown source into blocks (pure: no DOM). */
export function parseMarkdown(src: string): MdBlock[] {
  const out: MdBlock[] = [];
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push({ t: 'p', c: inline(para.join(' ')) });
    para = [];
  };
  while (i < lines.length) {
    const line = lines[i];
    const fence = /^(`{3,}|~{3,})/.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].startsWith(fence[1])) body.push(lines[i++]);
      i++;
      out.push({ t: 'pre', text: body.join('\n') });
      continue;
    }
    const head = /^(#{1,6})\s+(.*)$/.exec(line);
    if (head) {
      flush();
      out.push({ t: 'h', level: Math.min(6, head[1].length + 1) as 2 | 3 | 4 | 5 | 6, c: inline(head[2]) });
      i++;
      continue;
    }
    if (ITEM.test(line)) {
      flush();
      const ordered = /^\s*\d/.test(line);
      const items: MdInline[][] = [];
      while (i < lines.length && ITEM.test(lines[i])) {
        let item = lines[i].replace(ITEM, '');
        i++;
        // indented lines continue the item
        while (i < lines.length && /^\s+\S/.test(lines[i]) && !ITEM.test(lines[i])) item += ' ' + lines[i++].trim();
        items.push(inline(item));
      }
      out.push({ t: ordered ? 'ol' : 'ul', items });
      continue;
    }
    if (/^>\s?/.test(line)) {
      flush();
      const q: string[] = [];
      while (i < lines.length && /^>\s?/.test(lines[i])) q.push(lines[i++].replace(/^>\s?/, ''));
      out.push({ t: 'quote', c: inline(q.join(' ')) });
      continue;
    }
    if (!line.trim()) {
      flush();
      i++;
      continue;
    }
    para.push(line.trim());
    i++;
  }
  flush();
  return out;
}

// ------------------------------------------------------------------ DOM

function inlineNodes(c: MdInline[]): (Node | string)[] {
  return c.map((x) => {
    if (typeof x === 'string') return x;
    if (x.t === 'code') return h('code', {}, x.text);
    if (x.t === 'link') return h('span', { class: 'md-link', title: x.href }, x.text);
    return h(x.t, {}, ...inlineNodes(x.c));
  });
}

/** Renders Markdown source to a fragment of safe nodes. */
export function renderMarkdown(src: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  for (const b of parseMarkdown(src)) {
    if (b.t === 'pre') frag.appendChild(h('pre', {}, h('code', {}, b.text)));
    else if (b.t === 'h') frag.appendChild(h(`h${b.level}` as 'h2', {}, ...inlineNodes(b.c)));
    else if ('items' in b) frag.appendChild(h(b.t, {}, b.items.map((it) => h('li', {}, ...inlineNodes(it)))));
    else frag.appendChild(h(b.t === 'quote' ? 'blockquote' : 'p', {}, ...inlineNodes(b.c)));
  }
  return frag;
}

// ------------------------------------------------------------------ HTML text

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function inlineHtml(c: MdInline[]): string {
  return c.map((x) => {
    if (typeof x === 'string') return escapeHtml(x);
    if (x.t === 'code') return `<code>${escapeHtml(x.text)}</code>`;
    // a link stays text and links nowhere; its target follows as text, as a printed page writes it
    // (no attribute of the report carries a target: a javascript: one would read as a live URL to a checker)
    if (x.t === 'link') return `<span class="md-link">${escapeHtml(x.text)}</span> <span class="md-href">(${escapeHtml(x.href)})</span>`;
    return `<${x.t}>${inlineHtml(x.c)}</${x.t}>`;
  }).join('');
}

/** Renders Markdown source as HTML text, every piece of the source escaped (for the static report). */
export function markdownHtml(src: string): string {
  return parseMarkdown(src).map((b) => {
    if (b.t === 'pre') return `<pre><code>${escapeHtml(b.text)}</code></pre>`;
    if (b.t === 'h') return `<h${b.level}>${inlineHtml(b.c)}</h${b.level}>`;
    if ('items' in b) return `<${b.t}>${b.items.map((it) => `<li>${inlineHtml(it)}</li>`).join('')}</${b.t}>`;
    const tag = b.t === 'quote' ? 'blockquote' : 'p';
    return `<${tag}>${inlineHtml(b.c)}</${tag}>`;
  }).join('\n');
}
