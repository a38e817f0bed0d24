// Worker-thread entry of one `(thread …)` of a script (spec-tests/threads.ts): runs the
// thread's commands and posts each outcome, then sets the done word, whatever happened.

import { workerData } from 'worker_threads';
import { runThread } from './runner';
import { nodeThreads, type FromThread, type ThreadWorkerData } from './threads';

const data = workerData as ThreadWorkerData;
const port = data.port;
const post = (m: FromThread): void => port.postMessage(m);
try {
  runThread(data.job, (index, outcome, message) => post({ kind: 'outcome', index, outcome, message }), {
    threads: nodeThreads(),
  });
} catch (e) {
  post({ kind: 'error', message: `failed: ${e instanceof Error ? e.message : String(e)}` });
} finally {
  port.close();
  Atomics.store(data.done, 0, 1);
  Atomics.notify(data.done, 0);
}
