// Entry of the worker that runs one wasi-threads thread (threads.ts, runWasiThreads).

import { parentPort, workerData } from 'worker_threads';
import { runThread } from './threads';

const port = parentPort;
if (port === null) throw new Error('thread-worker.js runs on a worker started by runWasiThreads');
runThread(workerData, (r) => port.postMessage(r));
