// Child process of the differential fuzzer: runs one module on the requested engines and
// replies with the observations. The parent bounds each request in time and replaces a
// child that does not answer, so a hang in either engine never stalls a run.

import { execJetwasm, type ExecLog } from './exec-log';
import { moduleInfo, observeJetwasm, observeNative, planCalls, type Observation } from './observe';

export interface WorkRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly planSeed: number;
  readonly sides: readonly ('native' | 'jetwasm')[];
  /** The binaryen oracle: run jetwasm the way binaryen's fuzz-exec runs (exec-log.ts). */
  readonly exec?: boolean;
}

export interface WorkReply {
  readonly id: number;
  readonly native?: Observation;
  readonly jetwasm?: Observation;
  readonly exec?: ExecLog;
  /** jetwasm's decoder rejected the module (the plan needs its signatures). */
  readonly decodeError?: string;
  readonly nativeCompiles?: boolean;
}

export function work(req: WorkRequest): WorkReply {
  let m;
  try {
    m = moduleInfo(req.bytes);
  } catch (e) {
    let nativeCompiles = true;
    try {
      new WebAssembly.Module(req.bytes as Uint8Array<ArrayBuffer>);
    } catch {
      nativeCompiles = false;
    }
    return { id: req.id, decodeError: String((e as Error)?.message ?? e), nativeCompiles };
  }
  if (req.exec) return { id: req.id, exec: execJetwasm(req.bytes, m) };
  const calls = planCalls(m, req.planSeed);
  const reply: { id: number; native?: Observation; jetwasm?: Observation } = { id: req.id };
  if (req.sides.includes('native')) reply.native = observeNative(req.bytes, m, calls);
  if (req.sides.includes('jetwasm')) reply.jetwasm = observeJetwasm(req.bytes, m, calls);
  return reply;
}

if (require.main === module || process.env.JETWASM_FUZZ_WORKER === '1') {
  process.on('message', (req: WorkRequest) => {
    let reply: WorkReply;
    try {
      reply = work({ ...req, bytes: new Uint8Array(req.bytes) });
    } catch (e) {
      reply = { id: req.id, decodeError: `harness: ${String((e as Error)?.stack ?? e)}`, nativeCompiles: true };
    }
    process.send!(reply);
  });
  process.send!({ id: 0 });
}
