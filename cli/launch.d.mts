/** Types of cli/launch.mjs, for tests that import it. */
/** Whether to run the build at `built` rather than the sources: it exists, AW_CLI_SOURCE is not 1, and no .ts under `sourceDirs` is newer. */
export function useBuilt(built: string, sourceDirs: string[], env?: Record<string, string | undefined>): boolean;
