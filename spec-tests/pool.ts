// Runs scripts isolated in a pool of worker threads, so that a script that hangs, crashes
// or exhausts memory costs only its own remaining commands, never the whole run.
//
// Each worker streams the plan (every command's line and keyword) and then one outcome per
// command. If a worker stops answering (time limit) or dies, the commands that have no
// outcome yet are reported as failed with the reason; a fresh worker takes the next file.

import { Worker } from 'worker_threads';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { emptyFileResult, record, type FileResult, type Outcome } from './report';
import type { PlannedCommand } from './runner';

export interface ToWorker {
  /** Where to read the script. */
  readonly path: string;
  /** The name the report uses. */
  readonly file: string;
}

export type ToPool =
  | { readonly kind: 'plan'; readonly commands: PlannedCommand[] }
  | { readonly kind: 'outcome'; readonly index: number; readonly outcome: Outcome; readonly message: string }
  | { readonly kind: 'done' };

export interface PoolOptions {
  /** Worker threads; 0 runs every script in this thread, without isolation. */
  readonly jobs: number;
  /** Per-file time limit in milliseconds. */
  readonly timeoutMs: number;
  /** Called once per file, in completion order. */
  readonly onFile?: (result: FileResult, index: number) => void;
  /** Worker script speaking the ToWorker/ToPool protocol (default: the compiled worker.js). */
  readonly workerPath?: string;
}

/** Worker heap limit: generous, but a runaway script must not take the machine down. */
const WORKER_HEAP_MB = 4096;

interface Outcomes {
  plan?: PlannedCommand[];
  readonly outcomes: Array<{ outcome: Outcome; message: string } | undefined>;
}

/** Builds a file result; commands without an outcome fail with `missing`'s reason. */
function finish(job: ToWorker, o: Outcomes, missing?: { first: string; rest: string }): FileResult {
  const r = emptyFileResult(job.file);
  const plan = o.plan ?? [{ line: 0, command: 'script' }];
  let reportedFirst = false;
  plan.forEach((c, i) => {
    const got = o.outcomes[i];
    if (got) {
      record(r, c.line, c.command, got.outcome, got.message);
    } else {
      const why = missing ? (reportedFirst ? missing.rest : missing.first) : 'no outcome reported';
      reportedFirst = true;
      record(r, c.line, c.command, 'failed', why);
    }
  });
  return r;
}

class Lane {
  private worker: Worker | undefined;

  constructor(
    private readonly workerPath: string,
    private readonly timeoutMs: number,
  ) {}

  run(job: ToWorker): Promise<FileResult> {
    const worker = (this.worker ??= new Worker(this.workerPath, {
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    }));
    const o: Outcomes = { outcomes: [] };
    return new Promise((resolve) => {
      let settled = false;
      const settle = (r: FileResult, discardWorker: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.removeListener('message', onMessage);
        worker.removeListener('error', onError);
        worker.removeListener('exit', onExit);
        if (discardWorker) {
          this.worker = undefined;
          void worker.terminate();
        }
        resolve(r);
      };
      const onMessage = (m: ToPool): void => {
        if (m.kind === 'plan') o.plan = m.commands;
        else if (m.kind === 'outcome') o.outcomes[m.index] = { outcome: m.outcome, message: m.message };
        else settle(finish(job, o), false);
      };
      const died = (why: string): void => {
        const at = o.plan?.[o.outcomes.length]?.line;
        settle(
          finish(job, o, { first: why, rest: `not run: ${why}${at !== undefined ? ` at line ${at}` : ''}` }),
          true,
        );
      };
      const onError = (e: Error): void => died(`worker crashed: ${e.message}`);
      const onExit = (code: number): void => died(`worker exited with code ${code}`);
      const timer = setTimeout(
        () => died(`timed out after ${Math.round(this.timeoutMs / 1000)} s (per-file limit)`),
        this.timeoutMs,
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(job satisfies ToWorker);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

/** Runs every job; results come back in job order. */
export async function runFiles(jobs: readonly ToWorker[], opts: PoolOptions): Promise<FileResult[]> {
  const results: FileResult[] = new Array(jobs.length);
  if (opts.jobs <= 0) {
    // In-thread mode (debugging, or environments without the compiled worker): no time limit.
    const { runScriptSource } = await import('./runner');
    const { nodeThreads } = await import('./threads');
    jobs.forEach((job, i) => {
      let r: FileResult;
      try {
        r = runScriptSource(readFileSync(job.path, 'utf8'), job.file, {}, { threads: nodeThreads() });
      } catch (e) {
        r = emptyFileResult(job.file);
        record(r, 0, 'script', 'failed', `cannot run script: ${(e as Error).message}`);
      }
      results[i] = r;
      opts.onFile?.(r, i);
    });
    return results;
  }
  const workerPath = opts.workerPath ?? path.join(__dirname, 'worker.js');
  if (!existsSync(workerPath)) {
    throw new Error(`compiled worker not found at ${workerPath}: build first (npm run build) or run with --jobs 0`);
  }
  const lanes = Array.from(
    { length: Math.min(opts.jobs, Math.max(jobs.length, 1)) },
    () => new Lane(workerPath, opts.timeoutMs),
  );
  let next = 0;
  try {
    await Promise.all(
      lanes.map(async (lane) => {
        while (next < jobs.length) {
          const i = next++;
          const r = await lane.run(jobs[i]);
          results[i] = r;
          opts.onFile?.(r, i);
        }
      }),
    );
  } finally {
    await Promise.all(lanes.map((l) => l.close()));
  }
  return results;
}
