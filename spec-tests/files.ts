// Finding scripts: files as given, folders searched recursively for *.wast, and the
// testsuite layout (core files at the top, legacy/, custom/, proposals/).

import { existsSync, readdirSync, statSync } from 'fs';
import * as path from 'path';

/**
 * The official testsuite every test and tool runs against: `$WASM_TESTSUITE` when set (any
 * checkout of WebAssembly/testsuite), else the copy vendored in `spec-tests/testsuite`. The
 * vendored copy is found from this file's own location, which is `spec-tests/` in the sources
 * and `dist/spec-tests/` once built, so the answer never depends on the working directory.
 */
export function testsuiteRoot(): string {
  const fromEnv = process.env.WASM_TESTSUITE;
  if (fromEnv) return path.resolve(fromEnv);
  const candidates = [path.join(__dirname, 'testsuite'), path.resolve(__dirname, '../../spec-tests/testsuite')];
  return candidates.find((d) => existsSync(d)) ?? candidates[0];
}

export interface FoundScript {
  /** The path as given or found (used in reports). */
  readonly file: string;
  /** Stable key for expected results: path relative to the folder it was found in, with '/'. */
  readonly key: string;
}

function walk(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      walk(p, out);
    } else if (e.isFile() && e.name.endsWith('.wast')) {
      out.push(p);
    }
  }
}

const toKey = (root: string, file: string): string => path.relative(root, file).split(path.sep).join('/');

/** Files as given; folders recursively (sorted). Throws if a path does not exist. */
export function findScripts(paths: readonly string[]): FoundScript[] {
  const out: FoundScript[] = [];
  for (const p of paths) {
    const st = statSync(p); // throws ENOENT with the path in the message
    if (st.isDirectory()) {
      const files: string[] = [];
      walk(p, files);
      for (const f of files) out.push({ file: f, key: toKey(p, f) });
    } else {
      out.push({ file: p, key: path.basename(p) });
    }
  }
  return out;
}

/** Folders of a testsuite checkout that `--suite` runs besides the top-level core scripts. */
export const SUITE_FOLDERS = ['legacy', 'custom'] as const;

/**
 * The scripts of a testsuite checkout: top-level *.wast, then legacy/ and custom/, and
 * proposals/ when asked. Keys are relative to the checkout root (e.g. `legacy/throw.wast`).
 */
export function findSuiteScripts(root: string, withProposals: boolean): FoundScript[] {
  const top = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.wast'))
    .map((e) => e.name)
    .sort();
  const out: FoundScript[] = top.map((n) => ({ file: path.join(root, n), key: n }));
  const folders: string[] = [...SUITE_FOLDERS];
  if (withProposals) folders.push('proposals');
  for (const f of folders) {
    const dir = path.join(root, f);
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) continue;
    const files: string[] = [];
    walk(dir, files);
    for (const file of files) out.push({ file, key: toKey(root, file) });
  }
  return out;
}
