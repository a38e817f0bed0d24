// Validation shared between the compiling thread and a helper: whatever part the helper does,
// publishes, gives up or never finishes, the result (figures per body, or the first error)
// is that of one thread alone. Both sides run here, in turn, over one job's shared buffers;
// tests/validation-worker.test.ts runs them on two threads.
import { decodeModule } from '../compiler/binary';
import { DEFAULT_FEATURES } from '../compiler/features';
import { parseWat } from '../compiler/text';
import { BODIES_PER_CALL, typeRegistry, validateModuleInfo, validationSettings } from '../compiler/validate';
import {
  HelperShare,
  MainShare,
  helpValidate,
  helpersWanted,
  newValidationJob,
  type ValidationJob,
} from './validation-helper';

/** `n` functions of varied stack heights and control depths; the functions `bad` are ill-typed. */
function moduleText(n: number, bad: readonly number[] = []): string {
  let s = '(module (memory 1) (global $g (mut i32) (i32.const 0))\n';
  for (let i = 0; i < n; i++) {
    const d = (i % 7) + 1;
    const bodies = [
      `(i32.add (local.get 0) (i32.const ${i}))`,
      `(block (result i32) (loop (result i32) ${'(i32.add (i32.const 1) '.repeat(d)}(local.get 0)${')'.repeat(d)}))`,
      `(i32.load (local.get 0))`,
      `${'(block '.repeat(d)}${')'.repeat(d)} (local.get 0)`,
      `(global.set $g (local.get 0)) (global.get $g)`,
    ];
    s += `(func (param i32) (result i32) ${bad.includes(i) ? '(i32.add (i64.const 1) (i32.const 2))' : bodies[i % 5]})\n`;
  }
  return s + ')';
}

type Outcome = { heights: readonly number[]; depths: readonly number[] } | { error: string };

function outcome(f: () => { maxStackHeights: readonly number[]; maxControlDepths: readonly number[] }): Outcome {
  try {
    const v = f();
    return { heights: v.maxStackHeights, depths: v.maxControlDepths };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

function alone(bytes: Uint8Array): Outcome {
  return outcome(() => validateModuleInfo(decodeModule(bytes, { lazyBodies: true }), typeRegistry, DEFAULT_FEATURES));
}

/** A helper that stops claiming after `limit` chunks. */
class LimitedHelper extends HelperShare {
  private taken = 0;
  constructor(
    job: ValidationJob,
    private readonly limit: number,
  ) {
    super(job);
  }
  override claim(): number {
    return this.taken++ < this.limit ? super.claim() : -1;
  }
}

/** The helper's part (`helper`, run first), then the compiling thread's. */
function shared(bytes: Uint8Array, helper: (job: ValidationJob) => void): { result: Outcome; main: MainShare } {
  const ir = decodeModule(bytes, { lazyBodies: true });
  const job = newValidationJob(bytes, DEFAULT_FEATURES, ir);
  helper(job);
  const main = new MainShare(job, 20);
  try {
    return { result: outcome(() => validateModuleInfo(ir, typeRegistry, DEFAULT_FEATURES, main)), main };
  } finally {
    main.close();
  }
}

function helpWith(share: HelperShare): (job: ValidationJob) => void {
  return (job) => {
    try {
      validateModuleInfo(decodeModule(job.bytes, { lazyBodies: true }), typeRegistry, DEFAULT_FEATURES, share);
    } finally {
      share.abandon();
    }
  };
}

const N = 5 * BODIES_PER_CALL + 17;
const GOOD = parseWat(moduleText(N));

describe('validation shared with a helper', () => {
  const reference = alone(GOOD);

  test('the reference varies per body', () => {
    expect('heights' in reference && new Set(reference.heights).size).toBeGreaterThan(3);
    expect('depths' in reference && new Set(reference.depths).size).toBeGreaterThan(3);
  });

  test.each([0, 1, 3, 6])('a helper that publishes %i chunks', (k) => {
    const { result, main } = shared(GOOD, (job) => helpWith(new LimitedHelper(job, k))(job));
    expect(result).toEqual(reference);
    expect(main.helped).toBe(k);
    expect(main.takenBack).toBe(0);
  });

  test('a helper that does the whole module (the worker entry)', () => {
    const { result, main } = shared(GOOD, helpValidate);
    expect(result).toEqual(reference);
    expect(main.helped).toBe(6);
  });

  test('a chunk the helper never publishes is taken back', () => {
    const { result, main } = shared(GOOD, (job) => {
      new HelperShare(job).claim();
      helpWith(new LimitedHelper(job, 2))(job);
    });
    expect(result).toEqual(reference);
    expect(main.helped).toBe(2);
    expect(main.takenBack).toBe(1);
  });

  test('a chunk the helper gives up is taken back at once', () => {
    const { result, main } = shared(GOOD, (job) => {
      const h = new HelperShare(job);
      h.claim();
      h.abandon();
    });
    expect(result).toEqual(reference);
    expect(main.helped).toBe(0);
    expect(main.takenBack).toBe(1);
  });

  test.each([
    ['in a chunk the helper publishes', [3], 2],
    ['in a chunk of the compiling thread', [4 * BODIES_PER_CALL + 3], 2],
    ['in both threads: the first body reports', [BODIES_PER_CALL + 1, 4 * BODIES_PER_CALL + 3], 2],
    ['in both threads, the first in the compiling thread', [BODIES_PER_CALL + 1, 4 * BODIES_PER_CALL + 3], 0],
  ])('an invalid body %s', (_, bad, k) => {
    const bytes = parseWat(moduleText(N, bad));
    const expected = alone(bytes);
    expect('error' in expected && expected.error).toMatch(`CompileError: type mismatch in function ${bad[0]} `);
    expect(shared(bytes, (job) => helpWith(new LimitedHelper(job, k))(job)).result).toEqual(expected);
  });

  test('a job closed by the compiling thread is not started', () => {
    const ir = decodeModule(GOOD, { lazyBodies: true });
    const job = newValidationJob(GOOD, DEFAULT_FEATURES, ir);
    new MainShare(job).close();
    helpValidate(job);
    expect(Array.from(job.state)).toEqual(new Array(6).fill(0));
  });
});

describe('when workers help', () => {
  const MiB = 1024 * 1024;
  const jit = (): boolean => true;
  const noJit = (): boolean => false;
  test('modules of megabytes on hosts without a JIT', () => {
    expect(helpersWanted(2 * MiB, undefined, noJit)).toBe(true);
    expect(helpersWanted(2 * MiB - 1, undefined, noJit)).toBe(false);
    expect(helpersWanted(64 * MiB, undefined, jit)).toBe(false);
  });
  test('JETWASM_VALIDATION_WORKER says always or never', () => {
    expect(helpersWanted(100, '1', jit)).toBe(true);
    expect(helpersWanted(64 * MiB, '0', noJit)).toBe(false);
  });
  test('never where the fast path is off (CodeValidator alone is the reference)', () => {
    validationSettings.fastPath = false;
    try {
      expect(helpersWanted(100, '1', jit)).toBe(false);
    } finally {
      validationSettings.fastPath = true;
    }
  });
});
