// Types of scripts/dist.mjs (for the TypeScript tests).
/** The one line `npm run dist` prints where there is no Electron binary. */
export const NO_BINARY: string;
/** The installed Electron executable, or null when its binary was not downloaded. */
export function electronBinary(): string | null;
/** The electron-builder command line for `npm run dist -- ...args`. */
export function builderArgs(args: string[], electronDist?: string): string[];
