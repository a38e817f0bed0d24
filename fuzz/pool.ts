// A single long-lived worker child with a per-request time limit. A request that exceeds
// the limit kills the child (a fresh one is started on the next request) and yields null.

import { fork, type ChildProcess } from 'child_process';
import * as path from 'path';

export class Worker<
  Req extends { id: number } = import('./worker').WorkRequest,
  Reply extends { id: number } = import('./worker').WorkReply,
> {
  private child: ChildProcess | null = null;
  private ready: Promise<boolean> | null = null;
  private nextId = 1;
  /** Child restarts caused by time-outs or crashes. */
  restarts = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly entry = 'worker-entry.js',
    private readonly maxHeapMb = 2048,
  ) {}

  private start(): ChildProcess {
    const c = fork(path.join(__dirname, this.entry), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: [`--max-old-space-size=${this.maxHeapMb}`],
    });
    c.on('error', () => {});
    this.child = c;
    // Start-up (loading the sources) is not part of any case's time limit.
    this.ready = new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), 180_000);
      c.once('message', () => {
        clearTimeout(t);
        resolve(true);
      });
      c.once('exit', () => {
        clearTimeout(t);
        resolve(false);
      });
    });
    return c;
  }

  async run(req: Omit<Req, 'id'>): Promise<Reply | null> {
    const c = this.child ?? this.start();
    if (!(await this.ready)) {
      this.kill();
      return null;
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: Reply | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        c.off('message', onMessage);
        c.off('exit', onExit);
        if (r === null) this.kill();
        resolve(r);
      };
      const onMessage = (m: Reply): void => {
        if (m.id === id) finish(m);
      };
      const onExit = (): void => {
        this.child = null;
        finish(null);
      };
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
