// Results of running WAST scripts: per-command outcomes, per-file counts, the JSON report,
// the per-file table, and the comparison against a recorded expected-results file.

export type Outcome = 'passed' | 'failed' | 'skipped';

/** One failed or skipped command. `command` is the WAST keyword (`module` for modules). */
export interface Problem {
  readonly line: number;
  readonly command: string;
  readonly outcome: 'failed' | 'skipped';
  readonly message: string;
}

export interface FileResult {
  readonly file: string;
  passed: number;
  failed: number;
  skipped: number;
  readonly problems: Problem[];
}

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

export interface SuiteResult extends Totals {
  readonly files: FileResult[];
}

export function emptyFileResult(file: string): FileResult {
  return { file, passed: 0, failed: 0, skipped: 0, problems: [] };
}

/** Records one command outcome in a file result. */
export function record(r: FileResult, line: number, command: string, outcome: Outcome, message = ''): void {
  r[outcome]++;
  if (outcome !== 'passed') r.problems.push({ line, command, outcome, message });
}

export function summarize(files: FileResult[]): SuiteResult {
  const s: SuiteResult = { files, passed: 0, failed: 0, skipped: 0 };
  for (const f of files) {
    s.passed += f.passed;
    s.failed += f.failed;
    s.skipped += f.skipped;
  }
  return s;
}

export const countsLine = (t: Totals): string => `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;

/** The JSON report, with keys in a fixed order. */
export function toJson(s: SuiteResult): string {
  const files = s.files.map((f) => ({
    file: f.file,
    passed: f.passed,
    failed: f.failed,
    skipped: f.skipped,
    problems: f.problems.map((p) => ({ line: p.line, command: p.command, outcome: p.outcome, message: p.message })),
  }));
  return JSON.stringify({ files, passed: s.passed, failed: s.failed, skipped: s.skipped }) + '\n';
}

/** A fixed-width per-file table followed by a totals row. */
export function formatTable(s: SuiteResult): string {
  const rows: string[][] = [['file', 'passed', 'failed', 'skipped', 'status']];
  for (const f of s.files) {
    const status = f.failed === 0 && f.skipped === 0 ? 'ok' : f.passed === 0 ? 'FAIL' : 'partial';
    rows.push([f.file, String(f.passed), String(f.failed), String(f.skipped), status]);
  }
  rows.push([
    'total',
    String(s.passed),
    String(s.failed),
    String(s.skipped),
    `${s.files.filter(fullyPassing).length}/${s.files.length} files ok`,
  ]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const fmt = (r: string[]): string =>
    r
      .map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [fmt(rows[0]), sep, ...rows.slice(1, -1).map(fmt), sep, fmt(rows[rows.length - 1])];
  return out.join('\n') + '\n';
}

export const fullyPassing = (t: Totals): boolean => t.failed === 0 && t.skipped === 0 && t.passed > 0;

// ---------------------------------------------------------------- expected results

/** spec-tests/expected.json: per-file counts, keyed by a stable file key. */
export interface ExpectedFile {
  readonly files: Record<string, Totals>;
}

/**
 * The key a file is recorded under: its path relative to the testsuite root it was found in
 * (e.g. `legacy/throw.wast`), so the expectations hold wherever the suite is checked out.
 */
export type KeyOf = (file: string) => string;

export function buildExpected(s: SuiteResult, keyOf: KeyOf): ExpectedFile {
  const files: Record<string, Totals> = {};
  for (const f of [...s.files].sort((a, b) => keyOf(a.file).localeCompare(keyOf(b.file)))) {
    files[keyOf(f.file)] = { passed: f.passed, failed: f.failed, skipped: f.skipped };
  }
  return { files };
}

export function parseExpected(text: string): ExpectedFile {
  const raw: unknown = JSON.parse(text);
  if (typeof raw !== 'object' || raw === null || typeof (raw as { files?: unknown }).files !== 'object') {
    throw new Error('expected-results file must be an object with a "files" object');
  }
  const files: Record<string, Totals> = {};
  for (const [k, v] of Object.entries((raw as { files: Record<string, unknown> }).files)) {
    const t = v as Partial<Totals>;
    if (typeof t.passed !== 'number' || typeof t.failed !== 'number' || typeof t.skipped !== 'number') {
      throw new Error(`expected-results entry for ${k} must have numeric passed/failed/skipped`);
    }
    files[k] = { passed: t.passed, failed: t.failed, skipped: t.skipped };
  }
  return { files };
}

/** One file per line, so a change of counts is a one-line diff. */
export function expectedToJson(e: ExpectedFile): string {
  const lines = Object.entries(e.files).map(
    ([k, t]) => `  ${JSON.stringify(k)}: {"passed": ${t.passed}, "failed": ${t.failed}, "skipped": ${t.skipped}}`,
  );
  return lines.length === 0 ? '{"files": {}}\n' : `{"files": {\n${lines.join(',\n')}\n}}\n`;
}

export interface ExpectComparison {
  /** Human-readable descriptions; any entry here means the run regressed. */
  readonly regressions: string[];
  readonly improvements: string[];
  /** Files run now that the expected file does not know (not a regression). */
  readonly unknown: string[];
}

/**
 * A file regressed if it passes fewer commands than recorded, or if it was fully passing and
 * now has any failure or skip. More passes than recorded is an improvement.
 */
export function compareExpected(s: SuiteResult, expected: ExpectedFile, keyOf: KeyOf): ExpectComparison {
  const regressions: string[] = [];
  const improvements: string[] = [];
  const unknown: string[] = [];
  for (const f of s.files) {
    const key = keyOf(f.file);
    const e = expected.files[key];
    if (!e) {
      unknown.push(key);
      continue;
    }
    const now = countsLine(f);
    const before = countsLine(e);
    if (f.passed < e.passed) {
      regressions.push(`${key}: ${now} (expected ${before})`);
    } else if (fullyPassing(e) && (f.failed > 0 || f.skipped > 0)) {
      regressions.push(`${key}: ${now} (was fully passing: ${before})`);
    } else if (f.passed > e.passed) {
      improvements.push(`${key}: ${now} (expected ${before})`);
    }
  }
  return { regressions, improvements, unknown };
}
