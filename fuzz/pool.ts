// A single long-lived worker child with a per-request time limit. A request that exceeds
// the limit kills the child (a fresh one is started on the next request) and yields null.

import { fork, type ChildProcess } from 'child_process';
import * as path from 'path';
import type { WorkReply, WorkRequest } from './worker';

export class Worker {
  private child: ChildProcess | null = null;
  private nextId = 1;
  /** Child restarts caused by time-outs or crashes. */
  restarts = 0;

  constructor(private readonly timeoutMs: number) {}

  private start(): ChildProcess {
    const c = fork(path.join(__dirname, 'worker-entry.js'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: ['--max-old-space-size=2048', '--stack-size=984'],
    });
    c.on('error', () => {});
    this.child = c;
    return c;
  }

  run(req: Omit<WorkRequest, 'id'>): Promise<WorkReply | null> {
    const c = this.child ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: WorkReply | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        c.off('message', onMessage);
        c.off('exit', onExit);
        if (r === null) this.kill();
        resolve(r);
      };
      const onMessage = (m: WorkReply): void => { if (m.id === id) finish(m); };
      const onExit = (): void => { this.child = null; finish(null); };
      const timer = setTimeout(() => finish(null), this.timeoutMs);
      c.on('message', onMessage);
      c.on('exit', onExit);
      c.send({ ...req, id });
    });
  }

  private kill(): void {
    if (this.child) {
      this.restarts++;
      this.child.kill('SIGKILL');
      this.child = null;
    }
  }

  close(): void {
    if (this.child) {
      this.child.disconnect();
      this.child = null;
    }
  }
}
