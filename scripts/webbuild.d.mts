// Types of scripts/webbuild.mjs (for the TypeScript tests).
/** Why dist/renderer needs a build ('missing', 'stale'), or null when it is current. */
export function webBuildNeeded(): 'missing' | 'stale' | null;
/** Runs `vite build`; true on success. */
export function buildWeb(opts?: { quiet?: boolean }): boolean;
/** Builds when needed (or always with `force`); true when dist/renderer is usable. */
export function ensureWebBuild(opts?: { force?: boolean; quiet?: boolean; log?: (m: string) => void }): boolean;
