#!/usr/bin/env node
// `node scripts/make-icon.mjs`: draws the app icon (a rounded square in the
// UI's accent blue with three rising bars, the last one green: credit going
// to channels) and writes it as build/icon.svg and as PNGs:
//   build/icons/512x512.png, build/icons/1024x1024.png
// One list of shapes feeds both the SVG and the rasteriser, so they cannot
// drift apart. There is no ImageMagick or PIL on the build machines, so the
// PNG encoder is here too (zlib + CRC-32). electron-builder derives .icns and
// .ico from the 1024 PNG; Linux takes the folder of NxN.png files.
// The outputs are committed; run this again only after changing SHAPES.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The design is drawn on a 1024 grid and scaled. */
const GRID = 1024;

// Colours from renderer/styles.css: --accent #2f6fdf (light) and a darker
// shade of it for the gradient, --accent-2 #e8f0fe, --ok #4cc27f (dark theme's, brighter on blue).
/** Shapes in paint order: rounded rectangles, filled with a colour or a vertical gradient. */
export const SHAPES = [
  // macOS-style margin (about 6%) so the icon sits well beside others in docks and launchers.
  { x: 64, y: 64, w: 896, h: 896, r: 200, fill: { from: '#3b7bec', to: '#1f4fb0' } },
  { x: 232, y: 560, w: 136, h: 232, r: 28, fill: '#e8f0fe' },
  { x: 444, y: 420, w: 136, h: 372, r: 28, fill: '#e8f0fe' },
  { x: 656, y: 232, w: 136, h: 560, r: 28, fill: '#4cc27f' },
];

/** The SVG source of the icon. */
export function iconSvg() {
  const defs = [];
  const body = SHAPES.map((s, i) => {
    let fill = s.fill;
    if (typeof fill !== 'string') {
      defs.push(`<linearGradient id="g${i}" x1="0" y1="${s.y}" x2="0" y2="${s.y + s.h}" gradientUnits="userSpaceOnUse"><stop offset="0" stop-color="${fill.from}"/><stop offset="1" stop-color="${fill.to}"/></linearGradient>`);
      fill = `url(#g${i})`;
    }
    return `<rect x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}" rx="${s.r}" fill="${fill}"/>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${GRID}" height="${GRID}" viewBox="0 0 ${GRID} ${GRID}">\n<defs>${defs.join('')}</defs>\n${body.join('\n')}\n</svg>\n`;
}

const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** Is grid point (x, y) inside rounded rectangle s? */
function inside(s, x, y) {
  if (x < s.x || y < s.y || x >= s.x + s.w || y >= s.y + s.h) return false;
  // Distance to the nearest corner centre, when in a corner square.
  const cx = Math.min(Math.max(x, s.x + s.r), s.x + s.w - s.r);
  const cy = Math.min(Math.max(y, s.y + s.r), s.y + s.h - s.r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= s.r * s.r;
}

function colourAt(s, y) {
  if (typeof s.fill === 'string') return rgb(s.fill);
  const t = Math.min(1, Math.max(0, (y - s.y) / s.h));
  const a = rgb(s.fill.from);
  const b = rgb(s.fill.to);
  return a.map((v, i) => v + (b[i] - v) * t);
}

/** RGBA pixels of the icon at size×size, anti-aliased with 4×4 samples per pixel. */
export function rasterise(size, samples = 4) {
  const px = Buffer.alloc(size * size * 4);
  const scale = GRID / size;
  const n = samples * samples;
  for (let py = 0; py < size; py++) {
    for (let pxi = 0; pxi < size; pxi++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (pxi + (sx + 0.5) / samples) * scale;
          const y = (py + (sy + 0.5) / samples) * scale;
          let c = null;
          for (const s of SHAPES) if (inside(s, x, y)) c = colourAt(s, y);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a++;
        }
      }
      const o = (py * size + pxi) * 4;
      // Colours are averaged over the covered samples only (no dark fringe); alpha is the coverage.
      if (a) {
        px[o] = Math.round(r / a);
        px[o + 1] = Math.round(g / a);
        px[o + 2] = Math.round(b / a);
      }
      px[o + 3] = Math.round((a / n) * 255);
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG file (8-bit RGBA, no interlace) of width×height RGBA pixels. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  // Filter type 0 (none) on every row; deflate does well enough on flat colours.
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** The icon sizes written to build/icons (Linux takes the folder; mac and Windows the 1024). */
export const ICON_SIZES = [512, 1024];

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = path.join(root, 'build', 'icons');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(root, 'build', 'icon.svg'), iconSvg());
  for (const size of ICON_SIZES) {
    const file = path.join(dir, `${size}x${size}.png`);
    writeFileSync(file, encodePng(size, size, rasterise(size)));
    console.log(`wrote ${path.relative(root, file)}`);
  }
}
