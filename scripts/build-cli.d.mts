/** Types of scripts/build-cli.mjs, for tests that import it. */
/** Builds the CLI into `outdir` (default dist/cli); resolves with the entry's path (main.mjs, exporting main). */
export function buildCli(outdir?: string): Promise<string>;
