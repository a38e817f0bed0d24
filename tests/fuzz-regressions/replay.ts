// Replays a saved differential-fuzzing reproducer on jetwasm: the module, the seed of its
// call plan, and the observations Node's native engine made when it was recorded.

import * as fs from 'fs';
import * as path from 'path';
import { compareObservations, moduleInfo, observeJetwasm, planCalls, type Difference, type Observation } from '../../fuzz/observe';

export interface Reproducer {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly planSeed: number;
  readonly native: Observation;
}

/** Every `<name>.wasm` with a `<name>.json` beside it in `dir` (not recursive). */
export function loadReproducers(dir: string): Reproducer[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.wasm')).sort().flatMap((f) => {
    const json = path.join(dir, f.replace(/\.wasm$/, '.json'));
    if (!fs.existsSync(json)) return [];
    const meta = JSON.parse(fs.readFileSync(json, 'utf8')) as { planSeed: number; native: Observation };
    return [{ file: f, bytes: new Uint8Array(fs.readFileSync(path.join(dir, f))), planSeed: meta.planSeed, native: meta.native }];
  });
}

/** The first difference between jetwasm's run of `r` and the recorded native run, or null. */
export function replay(r: Reproducer): Difference | null {
  const m = moduleInfo(r.bytes);
  return compareObservations(r.native, observeJetwasm(r.bytes, m, planCalls(m, r.planSeed)));
}
