/** Types of scripts/webbuild.mjs, for tests that import it. */
/** Why dist/renderer needs a build ('missing', 'stale'), or null when it is current. */
export function webBuildNeeded(): 'missing' | 'stale' | null;
/** Runs `vite build` (quietly unless it fails); returns true on success. */
export function buildWeb(opts?: { quiet?: boolean }): boolean;
/** Builds when needed (or always with `force`); returns true when dist/renderer is usable. */
export function ensureWebBuild(opts?: { force?: boolean; quiet?: boolean; log?: (message: string) => void }): boolean;
