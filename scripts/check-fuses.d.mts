// Types of scripts/check-fuses.mjs (for the TypeScript tests).
/** Fuse states a packaged binary must have, by @electron/fuses option name; WasmTrapHandlers always on. */
export function expectedFuses(electronFuses?: Record<string, boolean>): Record<string, boolean>;
/** How the fuses of a binary (or .app) differ from `expected`, one line each. */
export function fuseDifferences(binary: string, expected?: Record<string, boolean>): Promise<string[]>;
/** The packaged binaries (or .app bundles) under an electron-builder output folder, or the path itself. */
export function packagedBinaries(target: string): string[];
/** Checks every packaged binary under `target`; rejects listing each difference; resolves with the binaries checked. */
export function checkFuses(target: string, log?: (m: string) => void): Promise<string[]>;
/** electron-builder's afterAllArtifactBuild hook. */
export function afterAllArtifactBuild(buildResult: { outDir: string }): Promise<string[]>;
