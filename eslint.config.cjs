// Lint rules that encode the layering: each folder README's "May import" line, and no import
// cycles. Formatting is prettier's (`npm run format:check`, see docs/ARCHITECTURE.md, "Habits").
//
// `no-restricted-imports` (typescript-eslint's, which can allow type-only imports) matches
// import specifiers as written, so each rule names folders by path segment.

const tseslint = require('typescript-eslint');
const importX = require('eslint-plugin-import-x');
const { createTypeScriptImportResolver } = require('eslint-import-resolver-typescript');

/** A restriction: specifiers matching `regex` are refused with `message`. */
const no = (regex, message, allowTypeImports = false) => ({ regex, message, allowTypeImports });
/** A folder segment anywhere in a relative specifier ('../../runtime/x', '../runtime'). */
const seg = (name) => `(^|/)${name}(/|$)`;

/** A top-level folder, reached from below it ('../vmctx', '../../types/x'). */
const top = (name) => `^(\\.\\./)+${name}(/|$)`;

const NOT_ABOVE_COMPILER = no(`${seg('runtime')}|${seg('cli')}|${seg('spec-tests')}|${seg('tests')}`, 'compiler/ never imports the runtime, the CLI or tests.');
/** Only type imports of compiler/ code: the file must load without the compiler. */
const NO_COMPILER_CODE = no(seg('compiler'), 'this file must load no compiler code: type-only imports of compiler/ only.', true);
const RUNTIME = no(`${seg('cli')}|${seg('spec-tests')}|${seg('tests')}`, 'runtime/ may import compiler/, vmctx/ and types/ only.');

/**
 * Each folder's restrictions (non-test files), from its README's "May import" line. A file
 * takes the last entry that matches it (flat config replaces a rule's options), so nested
 * folders come after their parents and repeat the parents' patterns.
 */
const LAYERS = [
  { files: ['compiler/*.ts'], patterns: [NOT_ABOVE_COMPILER] },
  { files: ['compiler/binary/**/*.ts'], patterns: [NOT_ABOVE_COMPILER, no(`${top('vmctx')}|${top('types')}|^\\.\\./(validate|translate|text)(/|$)`, 'compiler/binary may import compiler/ir, opcodes, errors, shapes and limits only.')] },
  { files: ['compiler/text/**/*.ts'], patterns: [NOT_ABOVE_COMPILER, no(`${top('vmctx')}|${top('types')}|^\\.\\./(validate|translate|binary)(/|$)`, 'compiler/text may import compiler/ir, opcodes and errors only.')] },
  { files: ['compiler/validate/**/*.ts'], patterns: [NOT_ABOVE_COMPILER, no(`${top('vmctx')}|^\\.\\./(translate|text|binary)(/|$)`, 'compiler/validate may import compiler/ir, opcodes, features, errors, shapes, limits and types/ only.')] },
  { files: ['compiler/translate/**/*.ts'], patterns: [NOT_ABOVE_COMPILER, no(`^\\.\\./(validate|text)(/|$)|^\\.\\./binary/(?!module$)`, 'compiler/translate may import compiler/ir, opcodes, errors, shapes, binary/module and vmctx/ only.')] },
  { files: ['vmctx/**/*.ts', 'types/**/*.ts'], patterns: [NO_COMPILER_CODE, no(`${seg('runtime')}|${seg('cli')}|${seg('spec-tests')}`, 'vmctx/ and types/ are imported by the compiler and the runtime, never the reverse.')] },
  { files: ['runtime/**/*.ts'], patterns: [RUNTIME] },
  { files: ['runtime/vm/**/*.ts', 'runtime/aot/index.ts', 'runtime/aot/format.ts'], patterns: [RUNTIME, NO_COMPILER_CODE, no(`^\\.\\./(index|instance|module|module-info|engine|linker|backtrace|optlimit|jsapi|wasi|cache|aot)(/|$)`, 'runtime/vm and the AOT loader may import vmctx/, types/, runtime/vm and the extern objects (objects, errors, limits, store, host-env) only.')] },
  { files: ['runtime/wasi/**/*.ts'], patterns: [RUNTIME, no(seg('compiler'), 'runtime/wasi may import compiler/ir types only.', true), no('^\\.\\./(?!index$)', 'runtime/wasi may import the public API (runtime/index.ts) only.')] },
  { files: ['spec-tests/**/*.ts'], patterns: [no(`${seg('cli')}|${top('vmctx')}|${top('types')}|compiler/(?!text|ir$)`, 'spec-tests may import compiler/text, compiler/ir types and runtime/ only.')] },
  { files: ['node/**/*.ts'], patterns: [no(`${top('compiler')}|${top('vmctx')}|${top('types')}|${top('cli')}|${top('spec-tests')}|^\\.\\./runtime/(?!cache/node$|cache/host$)`, 'node/ may import runtime/cache/node, types of runtime/cache/host and of the package entry only.', true)] },
  { files: ['cli/**/*.ts'], patterns: [no(`${top('vmctx')}|${top('types')}|compiler/(?!text|ir$)`, 'cli may import spec-tests, compiler/text and runtime/ only.')] },
];

module.exports = [
  { ignores: ['dist/**', 'node_modules/**', 'spec-tests/testsuite/**', 'tests/**', 'bench/**', 'fuzz/**', 'browser/**', 'examples/**', 'bin/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { import: importX, '@typescript-eslint': tseslint.plugin },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: { 'import/no-cycle': ['error', { ignoreExternal: true }] },
  },
  ...LAYERS.map(({ files, patterns }) => ({
    files,
    ignores: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
  })),
];
