// The fast path (fast.ts) against CodeValidator: on every module of the testsuite, on a real
// program, and on many damaged variants of valid modules, validation with the fast path
// gives the same verdict, message and per-function stack figures as without it.

import * as fs from 'fs';
import * as path from 'path';
import { testsuiteRoot } from '../../spec-tests/files';
import { uleb } from '../../tests/support/leb';
import { decodeModule } from '../binary';
import { CompileError } from '../errors';
import { parseWast } from '../text';
import type { WastCommand, WastModuleSource } from '../text/wast-types';
import { FastValidator, primerModule } from './fast';
import { typeRegistry } from './types';
import { validateModuleInfo, validateModuleRepeated, validationSettings } from './index';

function outcome(bytes: Uint8Array, fastPath: boolean): string {
  validationSettings.fastPath = fastPath;
  try {
    const v = validateModuleInfo(decodeModule(bytes, { lazyBodies: true }));
    return `valid ${v.maxStackHeights.join(',')} / ${v.maxControlDepths.join(',')}`;
  } catch (e) {
    return e instanceof CompileError ? `${e.kind}: ${e.message}` : `crash: ${String(e)}`;
  } finally {
    validationSettings.fastPath = true;
  }
}

/** Counts the bodies the fast path finishes while `f` runs. */
function countFast(f: () => void): { finished: number; tried: number } {
  const proto = FastValidator.prototype as unknown as { validateBodies: (...a: unknown[]) => number[] };
  const orig = proto.validateBodies;
  const n = { finished: 0, tried: 0 };
  proto.validateBodies = function (this: unknown, ...a: unknown[]): number[] {
    const undecided = orig.apply(this, a);
    const bodies = ((a[7] as number | undefined) ?? (a[1] as unknown[]).length) - ((a[6] as number | undefined) ?? 0);
    n.tried += bodies;
    n.finished += bodies - undecided.length;
    return undecided;
  };
  try {
    f();
  } finally {
    proto.validateBodies = orig;
  }
  return n;
}

const ROOT = testsuiteRoot();

function suiteModules(): { where: string; bytes: Uint8Array }[] {
  const out: { where: string; bytes: Uint8Array }[] = [];
  for (const f of fs
    .readdirSync(ROOT)
    .filter((n) => n.endsWith('.wast'))
    .sort()) {
    let cmds: WastCommand[];
    try {
      cmds = parseWast(fs.readFileSync(path.join(ROOT, f), 'utf8'), f) as WastCommand[];
    } catch {
      continue;
    }
    for (const c of cmds) {
      if (!('module' in c) || typeof c.module !== 'object' || c.module === null) continue;
      try {
        out.push({ where: `${f}:${c.line}`, bytes: (c.module as WastModuleSource).encode() });
      } catch {
        // malformed text: no binary
      }
    }
  }
  return out;
}

const modules = suiteModules();

test('every testsuite module: same verdict, message and stack figures with and without the fast path', () => {
  expect(modules.length).toBeGreaterThan(5000);
  const differ: string[] = [];
  const n = countFast(() => {
    for (const m of modules) {
      const a = outcome(m.bytes, true);
      const b = outcome(m.bytes, false);
      if (a !== b) differ.push(`${m.where}: fast ${a} / general ${b}`);
    }
  });
  expect(differ).toEqual([]);
  // The fast path is exercised, and leaves what it does not handle to CodeValidator.
  expect(n.finished).toBeGreaterThan(3000);
  expect(n.tried - n.finished).toBeGreaterThan(500);
});

test('sql.js: the fast path finishes every body, with the same figures', () => {
  const bytes = new Uint8Array(
    fs.readFileSync(path.resolve(__dirname, '../../node_modules/sql.js/dist/sql-wasm.wasm')),
  );
  let a = '';
  const n = countFast(() => (a = outcome(bytes, true)));
  expect(a).toMatch(/^valid /);
  expect(a).toBe(outcome(bytes, false));
  expect(n.finished).toBe(n.tried);
  expect(n.tried).toBeGreaterThan(1000);
});

test('damaged modules: the fast path never accepts what CodeValidator rejects', () => {
  // Deterministic pseudo-random byte changes inside valid modules with code.
  let seed = 0x9e3779b9;
  const rand = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const valid = modules.filter((m) => m.bytes.length > 40 && outcome(m.bytes, true).startsWith('valid'));
  expect(valid.length).toBeGreaterThan(1000);
  const differ: string[] = [];
  let invalidSeen = 0;
  for (let i = 0; i < 20000; i++) {
    const m = valid[rand(valid.length)];
    const bytes = m.bytes.slice();
    // Mostly the tail (where the code section is), sometimes anywhere after the header.
    const at = rand(4) === 0 ? 8 + rand(bytes.length - 8) : bytes.length - 1 - rand(Math.min(64, bytes.length - 8));
    const choices = [
      0x00, 0x01, 0x0b, 0x0c, 0x0d, 0x1a, 0x1b, 0x20, 0x21, 0x41, 0x42, 0x45, 0x6a, 0x7c, 0x7e, 0x7f, 0x40, 0x80, 0xff,
    ];
    bytes[at] = rand(3) === 0 ? rand(256) : choices[rand(choices.length)];
    const a = outcome(bytes, true);
    const b = outcome(bytes, false);
    if (b.startsWith('invalid')) invalidSeen++;
    if (a !== b) differ.push(`${m.where} byte ${at} = ${bytes[at]}: fast ${a} / general ${b}`);
  }
  expect(differ.slice(0, 20)).toEqual([]);
  expect(invalidSeen).toBeGreaterThan(1000);
});

/** Reads an unsigned LEB128 at `pos`: [value, end]. */
function readLeb(bytes: Uint8Array, pos: number): [number, number] {
  let n = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    n += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [n, pos];
  }
}

/**
 * `bytes` with the last `cut` bytes of body `index` removed (its size and the code
 * section's size adjusted), or undefined if the module has no such body.
 */
function cutBody(bytes: Uint8Array, index: number, cut: number): Uint8Array | undefined {
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, contentAt] = readLeb(bytes, pos + 1);
    const sectionEnd = contentAt + size;
    if (id === 10) {
      let [count, p] = readLeb(bytes, contentAt);
      if (index >= count) return undefined;
      const out: number[] = uleb(count);
      for (let i = 0; i < count; i++) {
        const [bodySize, bodyAt] = readLeb(bytes, p);
        let body = Array.from(bytes.subarray(bodyAt, bodyAt + bodySize));
        if (i === index) {
          if (body.length <= cut) return undefined;
          body = body.slice(0, body.length - cut);
        }
        out.push(...uleb(body.length), ...body);
        p = bodyAt + bodySize;
      }
      return Uint8Array.from([
        ...bytes.subarray(0, pos + 1),
        ...uleb(out.length),
        ...out,
        ...bytes.subarray(sectionEnd),
      ]);
    }
    pos = sectionEnd;
  }
  return undefined;
}

test('bodies cut short inside an immediate: the fast path never reads on into what follows', () => {
  // The fast path reads short immediates without checking the body's end: a body cut
  // before its last bytes has its final immediate continue into the next body's size and
  // locals, or the next section, or the end of the module. The verdict and message must be
  // the same either way.
  let seed = 0x2545f491;
  const rand = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const valid = modules.filter((m) => outcome(m.bytes, true).startsWith('valid'));
  const differ: string[] = [];
  let tried = 0;
  let rejected = 0;
  for (let i = 0; i < 6000; i++) {
    const m = valid[rand(valid.length)];
    const cut = 1 + rand(5);
    const bytes = cutBody(m.bytes, rand(4), cut);
    if (bytes === undefined) continue;
    tried++;
    const a = outcome(bytes, true);
    const b = outcome(bytes, false);
    if (!b.startsWith('valid')) rejected++;
    if (a !== b) differ.push(`${m.where} cut ${cut}: fast ${a} / general ${b}`);
  }
  expect(differ.slice(0, 20)).toEqual([]);
  expect(tried).toBeGreaterThan(1000);
  expect(rejected).toBeGreaterThan(tried * 0.9);
});

test('validateModuleRepeated runs the fast path the given number of times and validates as once', () => {
  // runtime/module.ts primeValidation repeats only the fast path; its result must still be
  // validateModuleInfo's, figures of the bodies left to CodeValidator included.
  const bytes = primerModule(2);
  const once = validateModuleInfo(decodeModule(bytes, { lazyBodies: true }));
  for (const rounds of [1, 5]) {
    let v: ReturnType<typeof validateModuleRepeated> | undefined;
    const n = countFast(() => {
      v = validateModuleRepeated(decodeModule(bytes, { lazyBodies: true }), typeRegistry, rounds);
    });
    expect(n).toEqual({ finished: 4 * rounds, tried: 8 * rounds });
    expect(v!.maxStackHeights).toEqual(once.maxStackHeights);
    expect(v!.maxControlDepths).toEqual(once.maxControlDepths);
    expect(v!.canon).toEqual(once.canon);
  }
});

test('the primer module: the fast path finishes the bodies meant for it and leaves the others', () => {
  // primeValidation (runtime) gathers the fast path's feedback on this module: had it given
  // up on PRIMER_BODY, its operations would have no feedback; two bodies in each group of
  // four are meant to be left to CodeValidator, for the feedback of giving up.
  const bytes = primerModule(3);
  outcome(bytes, true); // the first FastValidator also runs its own primer through the fast path
  const n = countFast(() => expect(outcome(bytes, true)).toMatch(/^valid /));
  expect(n).toEqual({ finished: 6, tried: 12 });
  expect(outcome(bytes, true)).toBe(outcome(bytes, false));
});
