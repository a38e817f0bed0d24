// Entry point of the spec runner: find scripts, run them isolated, report, and compare with
// the recorded expectations. The CLI's `wast` command is a thin argument parser over runWast.

import { existsSync, readFileSync, statSync, writeFileSync } from 'fs';
import { findScripts, findSuiteScripts, type FoundScript } from './files';
import { runFiles } from './pool';
import {
  buildExpected,
  compareExpected,
  countsLine,
  expectedToJson,
  formatTable,
  parseExpected,
  summarize,
  toJson,
  type ExpectedFile,
  type FileResult,
  type SuiteResult,
} from './report';

export * from './report';
export { findScripts, findSuiteScripts } from './files';
export { runFiles } from './pool';

export interface WastOptions {
  /** Script files and folders (folders are searched recursively for *.wast). */
  readonly paths: readonly string[];
  /** A testsuite checkout: its core scripts, legacy/ and custom/ (see files.ts). */
  readonly suite?: string;
  /** With `suite`: also run proposals/. */
  readonly proposals?: boolean;
  readonly json?: string;
  readonly table?: boolean;
  readonly expect?: string;
  readonly updateExpect?: boolean;
  /** Worker threads (0: run in this thread). */
  readonly jobs?: number;
  readonly timeoutMs?: number;
  /** Called with each file's result right after its counts line (in input order). */
  readonly onFile?: (result: FileResult) => void;
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const DEFAULT_JOBS = 2;
export const DEFAULT_TIMEOUT_MS = 120_000;

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Runs the scripts, prints one line per file and the totals line last; returns the exit code. */
export async function runWast(opts: WastOptions, io: Io): Promise<number> {
  const scripts: FoundScript[] = findScripts(opts.paths);
  let suiteMissing = false;
  if (opts.suite !== undefined) {
    if (isDir(opts.suite)) {
      scripts.push(...findSuiteScripts(opts.suite, opts.proposals ?? false));
    } else {
      suiteMissing = true;
      io.out(
        `spec tests skipped: no testsuite at ${opts.suite} ` +
          '(check out WebAssembly/testsuite there, or set WASM_TESTSUITE to a checkout; see README.md)',
      );
    }
  }
  if (scripts.length === 0 && !suiteMissing) {
    io.err('jetwasm: no .wast files found');
    return 1;
  }
  const keys = new Map(scripts.map((s) => [s.file, s.key]));
  const keyOf = (file: string): string => keys.get(file) ?? file;

  // Lines are printed in input order, as soon as every earlier file has finished.
  const done: (FileResult | undefined)[] = new Array(scripts.length);
  let printed = 0;
  const files = await runFiles(
    scripts.map((s) => ({ path: s.file, file: s.file })),
    {
      jobs: opts.jobs ?? DEFAULT_JOBS,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      onFile: (r, i) => {
        done[i] = r;
        while (printed < done.length && done[printed]) {
          const f = done[printed++]!;
          io.out(`${f.file}: ${countsLine(f)}`);
          opts.onFile?.(f);
        }
      },
    },
  );
  const suite = summarize(files);
  if (opts.table && files.length > 0) io.out(formatTable(suite).trimEnd());
  if (opts.json !== undefined) writeFileSync(opts.json, toJson(suite));

  let code = suite.failed > 0 ? 1 : 0;
  const expectPath = opts.expect ?? (opts.updateExpect ? 'spec-tests/expected.json' : undefined);
  if (expectPath !== undefined) {
    let expected: ExpectedFile = { files: {} };
    if (existsSync(expectPath)) {
      expected = parseExpected(readFileSync(expectPath, 'utf8'));
    } else if (!opts.updateExpect) {
      io.err(`jetwasm: expected-results file ${expectPath} does not exist (create it with --update-expect)`);
      return 2;
    }
    if (opts.updateExpect) {
      // Merge: files not run this time keep their recorded counts.
      const merged = { files: { ...expected.files, ...buildExpected(suite, keyOf).files } };
      const sorted: ExpectedFile = {
        files: Object.fromEntries(Object.entries(merged.files).sort(([a], [b]) => a.localeCompare(b))),
      };
      writeFileSync(expectPath, expectedToJson(sorted));
      io.out(`recorded ${files.length} file(s) in ${expectPath}`);
      code = 0;
    } else {
      code = reportExpectations(suite, expected, keyOf, io);
    }
  }
  io.out(countsLine(suite));
  return code;
}

function reportExpectations(suite: SuiteResult, expected: ExpectedFile, keyOf: (f: string) => string, io: Io): number {
  const cmp = compareExpected(suite, expected, keyOf);
  if (cmp.improvements.length > 0) {
    io.out(`${cmp.improvements.length} file(s) improved (run with --update-expect to record):`);
    for (const l of cmp.improvements) io.out(`  ${l}`);
  }
  if (cmp.unknown.length > 0) {
    io.out(`${cmp.unknown.length} file(s) not in the expected results (run with --update-expect to record)`);
  }
  if (cmp.regressions.length > 0) {
    io.out(`${cmp.regressions.length} file(s) regressed:`);
    for (const l of cmp.regressions) io.out(`  ${l}`);
    return 1;
  }
  io.out('no regressions against the expected results');
  return 0;
}
