import tseslint from 'typescript-eslint';

export default tseslint.config({ ignores: ['**/node_modules/**', '**/generated/**', '**/dist/**'] }, ...tseslint.configs.recommended, {
  files: ['**/*.ts'],
  languageOptions: { parserOptions: { projectService: true } },
  rules: {
    // An unawaited promise in a worker is a lost write.
    '@typescript-eslint/no-floating-promises': 'error',
    '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
  },
});
