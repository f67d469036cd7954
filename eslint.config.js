import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layer order of docs/architecture.md: imports point down only
 * (formats ← imaging ← cores ← engines ← cli). Each entry forbids a folder's
 * imports of the layers above it and of the libraries that belong elsewhere.
 */
const upward = (folders) => folders.map((folder) => `**/${folder}/**`);
/** The review server's and the report printer's libraries, each kept in its own engine. */
const server = ['fastify', 'better-sqlite3'];
const printer = ['playwright-core'];
/** The case queue's library, kept in engines/queue. */
const queue = ['bullmq', 'ioredis'];
const layers = [
  {
    files: ['src/formats/**'],
    above: ['imaging', 'cores', 'engines', 'cli'],
    libraries: ['sharp', 'onnxruntime-node', ...server, ...printer, ...queue],
  },
  {
    files: ['src/imaging/**'],
    above: ['cores', 'engines', 'cli'],
    libraries: ['onnxruntime-node', ...server, ...printer, ...queue],
  },
  {
    files: ['src/cores/**'],
    above: ['imaging', 'engines', 'cli'],
    libraries: [
      'sharp',
      'onnxruntime-node',
      'libsvm-js',
      'libsvm-js/*',
      'node:fs',
      'node:fs/*',
      'node:child_process',
      'node:worker_threads',
      'node:module',
      ...server,
      ...printer,
      ...queue,
    ],
  },
  {
    files: ['src/engines/**'],
    ignores: [
      'src/engines/inference/**',
      'src/engines/review/**',
      'src/engines/report/**',
      'src/engines/queue/**',
    ],
    above: ['cli'],
    libraries: [
      'commander',
      'cli-progress',
      'sharp',
      'onnxruntime-node',
      ...server,
      ...printer,
      ...queue,
    ],
  },
  {
    files: ['src/engines/queue/**'],
    above: ['cli'],
    libraries: ['commander', 'cli-progress', 'sharp', 'onnxruntime-node', ...server, ...printer],
  },
  {
    files: ['src/engines/review/**'],
    above: ['cli'],
    libraries: ['commander', 'cli-progress', 'sharp', 'onnxruntime-node', ...printer, ...queue],
  },
  {
    files: ['src/engines/report/**'],
    above: ['cli'],
    libraries: ['commander', 'cli-progress', 'sharp', 'onnxruntime-node', ...server, ...queue],
  },
  {
    files: ['src/engines/inference/**'],
    above: ['cli'],
    libraries: ['commander', 'cli-progress', 'sharp', ...server, ...printer, ...queue],
  },
  {
    files: ['src/cli/**'],
    above: [],
    libraries: [
      'sharp',
      'onnxruntime-node',
      'libsvm-js',
      'libsvm-js/*',
      ...server,
      ...printer,
      ...queue,
    ],
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'python/', 'runs/', 'demo-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  ...layers.map(({ files, ignores = [], above, libraries }) => ({
    files,
    ignores,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: upward(above), message: 'Imports point down only: see docs/architecture.md.' },
            {
              group: libraries,
              message: 'This library belongs to another layer: see docs/architecture.md.',
            },
          ].filter((pattern) => pattern.group.length > 0),
        },
      ],
    },
  })),
);
