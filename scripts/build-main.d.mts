/** Types of scripts/build-main.mjs, for tests that import it. */
/** Bundles main, preload and engine-host into `outDir` (default dist/main); resolves with the output files. */
export function buildMain(opts?: { outDir?: string; quiet?: boolean }): Promise<string[]>;
/** Every module name a bundle's text passes to require(). */
export function requiredModules(code: string): string[];
