// Threads of a script on worker threads: each `(thread …)` runs in a Worker of its own
// (spec-tests/thread-worker.ts), which wraps the shared modules' memories and streams one
// outcome per command back on a MessagePort. The script's own agent runs synchronously, so
// `(wait $t)` blocks on a shared word the thread sets when it ends and then reads the
// outcomes with receiveMessageOnPort; a thread that does not end within the time limit is
// terminated and its unfinished commands fail.

import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'worker_threads';
import { existsSync } from 'fs';
import * as path from 'path';
import type { Outcome } from './report';
import type { ThreadHandle, ThreadHost, ThreadJob } from './runner';

/** What a thread worker receives (workerData). */
export interface ThreadWorkerData {
  readonly job: ThreadJob;
  readonly port: MessagePort;
  /** Word 0 becomes 1 when the thread has posted its last outcome. */
  readonly done: Int32Array;
}

/** What a thread worker posts: one command's outcome, or why the thread could not go on. */
export type FromThread =
  | { readonly kind: 'outcome'; readonly index: number; readonly outcome: Outcome; readonly message: string }
  | { readonly kind: 'error'; readonly message: string };

/** How long `(wait)` waits for a thread (each thread; the pool's per-file limit still applies). */
const JOIN_LIMIT_MS = 120_000;

/** The compiled thread worker: next to this file when it is compiled, else in dist/. */
function workerPath(): string {
  for (const p of [
    path.join(__dirname, 'thread-worker.js'),
    path.join(__dirname, '..', 'dist', 'spec-tests', 'thread-worker.js'),
  ]) {
    if (existsSync(p)) return p;
  }
  throw new Error('threads need the compiled runner: build first (npm run build)');
}

export function nodeThreads(joinLimitMs = JOIN_LIMIT_MS): ThreadHost {
  return {
    start(job: ThreadJob): ThreadHandle {
      const done = new Int32Array(new SharedArrayBuffer(4));
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(workerPath(), { workerData: { job, port: port2, done }, transferList: [port2] });
      // The thread ends by itself; an unjoined or given-up worker must not keep the process.
      worker.unref();
      return {
        join() {
          const deadline = Date.now() + joinLimitMs;
          let error: string | undefined;
          while (Atomics.load(done, 0) === 0) {
            const left = deadline - Date.now();
            if (left <= 0) {
              error = `did not end within ${Math.round(joinLimitMs / 1000)} s`;
              void worker.terminate();
              break;
            }
            Atomics.wait(done, 0, 0, left);
          }
          const outcomes: Array<{ outcome: Outcome; message: string } | undefined> = [];
          for (let m = receiveMessageOnPort(port1); m !== undefined; m = receiveMessageOnPort(port1)) {
            const msg = m.message as FromThread;
            if (msg.kind === 'outcome') outcomes[msg.index] = { outcome: msg.outcome, message: msg.message };
            else error = msg.message;
          }
          port1.close();
          return { outcomes, error };
        },
      };
    },
  };
}
