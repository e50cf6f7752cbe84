import tseslint from 'typescript-eslint';

export default tseslint.config({ ignores: ['**/node_modules/**', '**/generated/**', '**/dist/**'] }, ...tseslint.configs.recommended, {
  files: ['**/*.ts'],
  languageOptions: { parserOptions: { projectService: true } },
  rules: {
    // An unawaited promise in a worker is a lost write.
    '@typescript-eslint/no-floating-promises': 'error',
    '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    // A named statement lives on one server connection; PgBouncer in transaction mode (before 1.21)
    // hands the next transaction another one, where it does not exist (README "PgBouncer").
    'no-restricted-syntax': [
      'error',
      {
        selector: "CallExpression[callee.property.name='query'] > ObjectExpression > Property[key.name='name']",
        message:
          'No named prepared statements: they break behind PgBouncer in transaction mode (README "PgBouncer"). Leave out `name` (the one exception, the gateway\'s run batch, is named only when DATABASE_PREPARED_STATEMENTS allows).',
      },
    ],
  },
});
