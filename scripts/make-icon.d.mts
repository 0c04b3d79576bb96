// Types of scripts/make-icon.mjs (for the TypeScript tests).
/** The icon's shapes on a 1024 grid, in paint order. */
export const SHAPES: { x: number; y: number; w: number; h: number; r: number; fill: string | { from: string; to: string } }[];
/** The SVG source of the icon (build/icon.svg). */
export function iconSvg(): string;
/** RGBA pixels of the icon at size×size. */
export function rasterise(size: number, samples?: number): Buffer;
/** A PNG file of width×height RGBA pixels. */
export function encodePng(width: number, height: number, rgba: Buffer): Buffer;
/** The sizes written to build/icons. */
export const ICON_SIZES: number[];
