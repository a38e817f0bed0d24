// Worker-thread entry: runs the scripts the pool sends, one at a time, streaming each
// command's outcome back so the pool still knows what ran if this thread hangs or dies.

import { parentPort } from 'worker_threads';
import { readFileSync } from 'fs';
import { runScriptSource } from './runner';
import { nodeThreads } from './threads';
import type { ToPool, ToWorker } from './pool';

const port = parentPort;
if (!port) throw new Error('spec-tests/worker must run in a worker thread');

port.on('message', (msg: ToWorker) => {
  const post = (m: ToPool): void => port.postMessage(m);
  let src: string;
  try {
    src = readFileSync(msg.path, 'utf8');
  } catch (e) {
    post({ kind: 'plan', commands: [{ line: 0, command: 'script' }] });
    post({ kind: 'outcome', index: 0, outcome: 'failed', message: `cannot read file: ${(e as Error).message}` });
    post({ kind: 'done' });
    return;
  }
  runScriptSource(
    src,
    msg.file,
    {
      plan: (commands) => post({ kind: 'plan', commands }),
      outcome: (index, outcome, message) => post({ kind: 'outcome', index, outcome, message }),
    },
    { threads: nodeThreads() },
  );
  post({ kind: 'done' });
});
