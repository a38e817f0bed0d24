// Replays a saved differential-fuzzing reproducer on jetwasm: the module and what the oracle
// recorded. Native-oracle reproducers hold the seed of the call plan and the observations of
// Node's engine; binaryen-oracle ones (`"oracle": "binaryen"`) hold binaryen's fuzz-exec log
// (`expectedLog`), which jetwasm's log must match as the fuzzer compares it.

import * as fs from 'fs';
import * as path from 'path';
import { compareExecLogs, execJetwasm } from '../../fuzz/exec-log';
import {
  compareObservations,
  moduleInfo,
  observeJetwasm,
  planCalls,
  type Difference,
  type Observation,
} from '../../fuzz/observe';

export type Reproducer =
  | {
      readonly oracle?: 'native';
      readonly file: string;
      readonly bytes: Uint8Array;
      readonly planSeed: number;
      readonly native: Observation;
    }
  | {
      readonly oracle: 'binaryen';
      readonly file: string;
      readonly bytes: Uint8Array;
      readonly expectedLog: readonly string[];
    };

/** Every `<name>.wasm` with a `<name>.json` beside it in `dir` (not recursive). */
export function loadReproducers(dir: string): Reproducer[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.wasm'))
    .sort()
    .flatMap((f): Reproducer[] => {
      const json = path.join(dir, f.replace(/\.wasm$/, '.json'));
      if (!fs.existsSync(json)) return [];
      const meta = JSON.parse(fs.readFileSync(json, 'utf8')) as {
        oracle?: string;
        planSeed: number;
        native: Observation;
        expectedLog: string[];
      };
      const bytes = new Uint8Array(fs.readFileSync(path.join(dir, f)));
      if (meta.oracle === 'binaryen') return [{ oracle: 'binaryen', file: f, bytes, expectedLog: meta.expectedLog }];
      return [{ file: f, bytes, planSeed: meta.planSeed, native: meta.native }];
    });
}

/** The first difference between jetwasm's run of `r` and the recorded oracle run, or null. */
export function replay(r: Reproducer): Difference | null {
  const m = moduleInfo(r.bytes);
  if (r.oracle === 'binaryen') {
    const d = compareExecLogs(r.expectedLog, execJetwasm(r.bytes, m).lines).difference;
    return d && { where: d.where, native: d.binaryen, jetwasm: d.jetwasm };
  }
  return compareObservations(r.native, observeJetwasm(r.bytes, m, planCalls(m, r.planSeed)));
}
