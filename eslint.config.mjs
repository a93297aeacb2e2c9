// One lint config for the repo: typescript-eslint, Prettier for layout, and the direction of
// imports between the folders of @catga/core (docs/ARCHITECTURE.md): a folder may import its own
// layer and the layers below it, never one above.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** @catga/core folders, lowest first. */
export const CORE_LAYERS = [
  ['errors', 'messages', 'timing', 'tokens', 'lifecycle'],
  ['envelope', 'context'],
  ['stores', 'signals', 'traffic'],
  ['wire', 'transport', 'liveness'],
  ['handlers', 'outbox', 'pipeline'],
  ['mediator'],
  ['saga', 'bridge'],
  ['cluster', 'operations'],
  ['module'],
  ['testing', 'conformance'],
];

const layerRules = CORE_LAYERS.slice(0, -1).map((layer, i) => {
  const above = CORE_LAYERS.slice(i + 1).flat();
  return {
    files: layer.map((folder) => `libs/core/src/${folder}/**/*.ts`),
    ignores: ['**/*.spec.ts', '**/*.spec-helper.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${above.join('|')})/`,
              message: `${layer.join(', ')} sit below ${above.join(', ')} (docs/ARCHITECTURE.md): move the shared piece down instead.`,
            },
            { regex: '^@catga/', message: '@catga/core depends on no other Catga package.' },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.test-output/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Every package is used through its index: no deep import into another package's files.
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^@catga/[\\w-]+/(src|dist)/', message: "Import a package's entry point, not its files." }] },
      ],
    },
  },
  ...layerRules,
  prettier,
);
