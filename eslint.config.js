// Lint: TypeScript rules plus the layering rule (VS Code style): imports only
// point down. common/ imports nothing of ours and no Node or DOM-only module;
// worker/ imports common/; cli/ and main/ import common/ and worker/;
// renderer/ imports common/ only and never Node.
import tseslint from 'typescript-eslint';

const NODE = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'url', 'module'];
const layer = (files, banned, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: banned.map((group) => ({ group: [group], message })) }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'release/**', 'scratch/**', 'test/artifacts/**', 'samples/*.csv'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // CommonJS config files (electron-builder.cjs): require is how they import.
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  layer(['common/**'], ['**/worker/**', '**/renderer/**', '**/main/**', '**/cli/**', ...NODE], 'common/ is the bottom layer: pure TypeScript, no Node, no upper layers'),
  layer(['worker/**'], ['**/renderer/**', '**/main/**', '**/cli/**'], 'worker/ may import common/ only'),
  layer(['renderer/**'], ['**/worker/native/**', '**/worker/node/**', '**/main/**', '**/cli/**', ...NODE], 'renderer/ runs in a sandboxed page: common/ and the browser worker only'),
  layer(['cli/**'], ['**/renderer/**', '**/main/**'], 'cli/ may import common/ and worker/'),
  layer(['main/**'], ['**/renderer/**', '**/cli/**'], 'main/ may import common/ and worker/'),
);
