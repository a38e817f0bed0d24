import { parseWat } from '../text';
import { decodeModule } from '../binary';
import { validateModuleInfo } from '../validate';
import { VMOffsets } from '../../vmctx';
import { chainedNesting, lazyTranslator, translateModule, translateModuleSource, HELPER_NAMES } from './index';
import { addrFacts, isDecimal, isIdentOrLiteral, isIntLiteral, splitTopLevel, unparen } from './exprs';
import { i64VarShift } from './i64';
import { BigEstimate, opDesc } from './ops';
import { opByName } from '../opcodes';
import { CompileError } from '../errors';
import { I32_SUMS_WAT } from '../../tests/support/i32-sums';

function source(wat: string, profile: 'jit' | 'interpreter' = 'jit'): string {
  const m = decodeModule(parseWat(wat));
  const { canon } = validateModuleInfo(m);
  return translateModuleSource(m, new VMOffsets(m), canon, { profile });
}

describe('FuncTranslator', () => {
  test('generated code is strict mode and parses', () => {
    const src = source(`(module (memory 1) (table 2 funcref) (global (mut f32) (f32.const nan:0x200000))
      (func (param i32) (result i32)
        (block (result i32) (block (result i32)
          (br_table 0 1 1 (local.get 0) (local.get 0)))))
      (func (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)))
      (func (param i32) (result f64 i32) (f64.load offset=8 (local.get 0)) (i32.const 2)))`);
    expect(src.startsWith('"use strict";')).toBe(true);
    expect(() => new Function('vm', 'H', src)).not.toThrow();
  });

  test('nothing from the module reaches the source', () => {
    const evil = 'x"); globalThis.pwned = 1; ("';
    const src = source(`(module (func $${'evil_name'} (export ${JSON.stringify(evil)}) (result i32) (i32.const 1))
      (@custom "secret-section" "payload"))`);
    expect(src).not.toContain('pwned');
    expect(src).not.toContain('evil_name');
    expect(src).not.toContain('secret-section');
  });

  test('pure operands are folded into single expressions', () => {
    const src = source(`(module (func (param i32 i32) (result i32)
      (i32.add (i32.mul (local.get 0) (local.get 1)) (i32.const 3))))`);
    expect(src).toContain('return (imul(l0, l1) + 3 | 0);');
  });

  test('a local write forces pending reads of that local first', () => {
    const src = source(`(module (func (param i32) (result i32)
      (local.get 0) (local.set 0 (i32.const 5))))`);
    // The old value must be captured before the write.
    expect(src.indexOf('s0 = l0;')).toBeGreaterThan(-1);
    expect(src.indexOf('s0 = l0;')).toBeLessThan(src.indexOf('l0 = 5;'));
  });

  test('signalling NaN constants go through the constant pool, decoded by helpers', () => {
    const src = source('(module (func (result f64) (f64.const nan:0x4000000000000)))');
    expect(src).toMatch(/var K0 = f64FromBits\(0x7ff4000000000000n\);/);
  });

  test('functions with return_call are trampolined, others are not', () => {
    const src = source(`(module
      (func $a (param i32) (result i32) (return_call $b (local.get 0)))
      (func $b (param i32) (result i32) (local.get 0)))`);
    expect(src).toContain('function f0b(l0)');
    expect(src).toContain('function f0(l0) { return runTail(f0b(l0)); }');
    expect(src).not.toContain('function f1b');
  });

  test('the prelude destructures every helper name', () => {
    const src = source('(module)');
    for (const n of HELPER_NAMES) expect(src).toContain(n);
  });

  test('blocks and loops nothing branches to need no JS block', () => {
    const src = source(`(module (func (param i32) (result i32)
      (block (loop (nop)))
      (block $out (br_if $out (local.get 0)))
      (local.get 0)))`);
    // Only the branched block keeps its label; the loop becomes straight-line code.
    expect(src.match(/L\d+: \{/g)?.length).toBe(1);
    expect(src).not.toContain('for (;;)');
  });

  test('nesting too deep for the JS parser is a CompileError, never a raw RangeError', () => {
    // (func (param i32) (if (local.get 0) (then (if ... )))) with 20,000 nested ifs, built as
    // bytes (the text parser has its own nesting limit). Nested ifs keep their JS nesting, and
    // V8's parser cannot recurse that deep.
    const n = 20_000;
    const body = [
      0x00,
      ...Array<number[]>(n).fill([0x20, 0x00, 0x04, 0x40]).flat(),
      ...Array<number>(n + 1).fill(0x0b),
    ];
    const leb = (x: number): number[] => {
      const o: number[] = [];
      do {
        let b = x & 127;
        x >>>= 7;
        if (x) b |= 128;
        o.push(b);
      } while (x);
      return o;
    };
    const code = [0x01, ...leb(body.length), ...body];
    const bytes = new Uint8Array([
      0x00,
      0x61,
      0x73,
      0x6d,
      1,
      0,
      0,
      0,
      0x01,
      0x05,
      0x01,
      0x60,
      0x01,
      0x7f,
      0x00, // type 0: [i32] -> []
      0x03,
      0x02,
      0x01,
      0x00, // func 0: type 0
      0x0a,
      ...leb(code.length),
      ...code,
    ]);
    const m = decodeModule(bytes);
    const { canon } = validateModuleInfo(m);
    expect(() => translateModule(m, new VMOffsets(m), canon)).toThrow(CompileError);
  });

  test('throw passes its payload as arguments (an array literal of numbers may quiet NaNs)', () => {
    const src = source(`(module (tag (param f64 i32)) (func (throw 0 (f64.const nan:0x4000000000001) (i32.const 7))))`);
    expect(src).toMatch(/throwException\(\w+, /);
    expect(src).not.toContain('new WasmException');
  });

  test('structs use their layout allocator and named fields; ref.test a per-type predicate', () => {
    const src = source(`(module (type $s (struct (field (mut i8)) (field (mut f64))))
      (func (param i32 anyref) (result i32) (local (ref null $s))
        (local.set 2 (struct.new $s (i32.const 0) (f64.const 1)))
        (struct.set $s 0 (local.get 2) (local.get 0))
        (drop (struct.get $s 1 (local.get 2)))
        (i32.add (struct.get_u $s 0 (local.get 2)) (ref.test (ref $s) (local.get 1)))))`);
    expect(src).toMatch(/var K\d+ = structLayout\(\d+\)\.create;/);
    expect(src).toMatch(/var K\d+ = refTestFn\(\d+, false\);/);
    expect(src).toMatch(/structRef\(l2\)\.f0 = \(l0 << 24 >> 24\);/);
    expect(src).toContain('structRef(l2).f1');
    expect(src).not.toMatch(/structNew\(|refTest\(|\.f\[/);
  });
});

describe('provably in-bounds word accesses', () => {
  test('addrFacts reads ranges and alignment from masks, shifts and literals', () => {
    expect(addrFacts('((l3 >>> 14 | 0) & 1020)')).toEqual({ max: 1020, align: 2 });
    expect(addrFacts('((l3 & 255) << 2)')).toEqual({ max: 1020, align: 2 });
    expect(addrFacts('4096')).toEqual({ max: 4096, align: 12 });
    expect(addrFacts('(l3 & -4)')).toBeNull(); // negative mask: any high address
    expect(addrFacts('((l3 & 255) << 2 | 1)')).toBeNull();
    expect(addrFacts('(l3 + 4 | 0)')).toBeNull();
    expect(addrFacts('((l0 & 1073741823) << 2)')).toBeNull(); // would overflow int32
  });

  test('table lookups inside the minimum size use the word view; others keep the checked path', () => {
    const wat = `(module (memory 1)
      (func (param i32) (result i32)
        (i32.add
          (i32.load offset=1024 (i32.and (local.get 0) (i32.const 1020)))
          (i32.load offset=65532 (i32.and (local.get 0) (i32.const 1020)))))
      (func (param i32) (i32.store (i32.shl (i32.and (local.get 0) (i32.const 255)) (i32.const 2)) (i32.const 7))))`;
    const src = source(wat, 'interpreter');
    expect(src).toContain('W0[((l0 & 1020) >> 2) + 256]');
    // offset 65532 + 1020 + 4 exceeds one page: the DataView (bounds-checked) path.
    expect(src).toContain('D0.getInt32((l0 & 1020) + 65532, 1)');
    expect(src).toContain('W0[(l0 & 255)] = 7;');
    // Under the 'jit' profile every access stays on the DataView.
    expect(source(wat, 'jit')).not.toMatch(/\bW0\b|\.i\d+\[/);
  });
});

describe('i32 addresses as DataView offsets', () => {
  // Behaviour at addresses of 2^31 and above: runtime/runtime.test.ts.
  const accesses = (mem: string): string => `(module (memory ${mem})
    (func (param i32) (result i32) (i32.load (local.get 0)))
    (func (param i32) (result i32) (i32.load offset=8 (local.get 0)))
    (func (param i32) (i64.store (local.get 0) (i64.const -1))))`;

  test('a memory that stays below 2 GiB reads offset-0 addresses as signed int32', () => {
    // 'jit' profile: the view holder's bound getInt32 (V0.gi32_K).
    const small = source(accesses('1 32768'));
    expect(small).toMatch(/V0\.gi32_\d+\(l0, 1\)/);
    // With an offset, or for a two-word access, the unsigned conversion stays.
    expect(small).toMatch(/V0\.gi32_\d+\(\(l0 >>> 0\) \+ 8, 1\)/);
    expect(small).toContain('a = (l0 >>> 0);');
    // Without a maximum the memory may pass 2 GiB: every address is converted.
    const big = source(accesses('1'));
    expect(big).toMatch(/V0\.gi32_\d+\(\(l0 >>> 0\), 1\)/);
  });
});

describe("'interpreter' profile: fewer truncations", () => {
  const wat = I32_SUMS_WAT;

  test('a sum of sums is truncated once; bitwise operators take it untruncated', () => {
    const src = source(wat, 'interpreter');
    expect(src).toContain('(l0 + l1 + l2 - (l3 + l0) | 0)');
    expect(src).toContain('((l0 + l1) ^ (l0 >>> 3))');
    // The 'jit' profile keeps one truncation per operator.
    const jit = source(wat, 'jit');
    expect(jit).toContain('(((l0 + l1 | 0) + l2 | 0) - (l3 + l0 | 0) | 0)');
    expect(jit).toContain('((l0 + l1 | 0) ^ (l0 >>> 3 | 0))');
  });

  test('chains longer than the exactness bound are split', () => {
    const src = source(wat, 'interpreter');
    const chain = src.slice(src.indexOf('function f3'));
    const sums = chain.match(/\| 0\)/g) ?? [];
    expect(sums.length).toBeGreaterThanOrEqual(2);
  });
});

describe("'interpreter' profile: byte-indexed table lookups", () => {
  test('((x >>> k) & M) >> 2 becomes one shift (and a mask only when it drops bits)', () => {
    const src = source(
      `(module (memory 1)
      (func (param i32) (result i32)
        (i32.xor
          (i32.load offset=1024 (i32.and (i32.shr_u (local.get 0) (i32.const 14)) (i32.const 1020)))
          (i32.load offset=2048 (i32.and (i32.shr_u (local.get 0) (i32.const 22)) (i32.const 1020))))))`,
      'interpreter',
    );
    expect(src).toContain('W0[((l0 >>> 16 & 255)) + 256]');
    expect(src).toContain('W0[((l0 >>> 24)) + 512]');
  });
});

describe('a value stored to a local goes there directly', () => {
  test('a load or call result is assigned to the local, not through its stack slot', () => {
    const src = source(
      `(module (memory 1) (func $g (result i32) (i32.const 1))
      (func (param i32) (local i32 i32)
        (local.set 1 (i32.load (local.get 0)))
        (local.set 2 (call $g))))`,
      'interpreter',
    );
    expect(src).toContain('l1 = D0.getInt32((l0 >>> 0), 1);');
    expect(src).toContain('l2 = f0();');
    expect(src).not.toMatch(/l[12] = s\d+;/);
  });

  test('not when an older read of that local is still pending', () => {
    const src = source(
      `(module (memory 1)
      (func (param i32 i32) (result i32 i32)
        (local.get 1) (local.set 1 (i32.load (local.get 0))) (local.get 1)))`,
      'interpreter',
    );
    const body = src.slice(src.indexOf('function f0'));
    // The load goes to its slot, the old l1 is saved, then the local is written.
    expect(body.indexOf('s1 = D0.getInt32((l0 >>> 0), 1);')).toBeGreaterThan(-1);
    expect(body.indexOf('s0 = l1;')).toBeGreaterThan(body.indexOf('s1 = D0.getInt32((l0 >>> 0), 1);'));
    expect(body.indexOf('l1 = s1;')).toBeGreaterThan(body.indexOf('s0 = l1;'));
  });
});

test('variable i64 shifts written out agree with BigInt for every count, in and out of 0..63', () => {
  const words = [0, 1, -1, 0x7fffffff, -0x80000000, 0x12345678, -0x0fedcba9, 0x55555555];
  const counts = Array.from({ length: 200 }, (_, i) => i - 70);
  const toBig = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const expected = (name: string, v: bigint, n: number): bigint => {
    const k = BigInt(n & 63);
    if (name === 'shl') return BigInt.asUintN(64, v << k);
    if (name === 'shr_u') return v >> k;
    return BigInt.asUintN(64, BigInt.asIntN(64, v) >> k);
  };
  const wrong: string[] = [];
  for (const name of ['shl', 'shr_u', 'shr_s']) {
    const p = i64VarShift(name, { lo: 'lo', hi: 'hi' }, 'n')!;
    const f = new Function('lo', 'hi', 'n', `return [${p.lo}, ${p.hi}];`) as (
      a: number,
      b: number,
      n: number,
    ) => number[];
    for (const lo of words)
      for (const hi of words)
        for (const n of counts) {
          const [rl, rh] = f(lo, hi, n);
          const want = expected(name, toBig(lo, hi), n);
          if ((rl | 0) !== rl || (rh | 0) !== rh || toBig(rl, rh) !== want) wrong.push(`${name} ${lo} ${hi} ${n}`);
        }
  }
  expect(wrong.slice(0, 10)).toEqual([]);
  expect(i64VarShift('rotl', { lo: 'lo', hi: 'hi' }, 'n')).toBeNull();
});

describe('expression tests written as character loops', () => {
  // The regular expressions they replace are the specification.
  const IDENT_OR_LITERAL = /^(?:-?[\w$.]+|-?\d[\w.+-]*n?)$/;
  const DECIMAL = /^\d+$/;
  const INT_LITERAL = /^-?\d+$/;
  const ALPHABET = ['0', '1', '9', 'a', 'e', 'n', 'Z', '_', '$', '.', '+', '-', ' ', '(', ')', '>', '|', '['];
  function* strings(): Generator<string> {
    yield '';
    for (const a of ALPHABET) {
      yield a;
      for (const b of ALPHABET) {
        yield a + b;
        for (const c of ALPHABET) yield a + b + c;
      }
    }
    let x = 12345;
    for (let i = 0; i < 20000; i++) {
      let s = '';
      const n = 1 + (i % 9);
      for (let k = 0; k < n; k++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        s += ALPHABET[x % ALPHABET.length];
      }
      yield s;
    }
    yield* ['l12', 's0', 'V0.gi32_1', '-5e-324', '1e+21', '-0', '123n', '0x1f', '(l3 >>> 0)', 'a + 4'];
  }

  test('isIdentOrLiteral, isDecimal and isIntLiteral agree with their regular expressions', () => {
    let n = 0;
    for (const s of strings()) {
      expect([s, isIdentOrLiteral(s)]).toEqual([s, IDENT_OR_LITERAL.test(s)]);
      expect([s, isDecimal(s)]).toEqual([s, DECIMAL.test(s)]);
      expect([s, isIntLiteral(s)]).toEqual([s, INT_LITERAL.test(s)]);
      n++;
    }
    expect(n).toBeGreaterThan(20000);
  });
});

test('splitTopLevel and unparen agree with the regular-expression scan they replace', () => {
  // The former splitTopLevel, which matched an operator at each top-level space with a
  // regular expression, is the specification.
  function splitByRegex(e: string): [string, string, string] | null {
    let depth = 0,
      at = -1,
      op = '';
    for (let i = 0; i < e.length; i++) {
      const c = e[i];
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (depth === 0 && c === ' ') {
        const m = /^ (&|<<|>>>|>>|\||\^|\+|-|\*|===|!==|<=|>=|<|>|\?|:|&&|\|\|) /.exec(e.slice(i));
        if (m) {
          if (at >= 0) return null;
          at = i;
          op = m[1];
          i += m[0].length - 1;
        }
      }
    }
    if (at < 0) return null;
    return [e.slice(0, at), op, e.slice(at + op.length + 2)];
  }
  // unparen's contract: the first and last characters are parentheses and no prefix of
  // what they enclose closes more parentheses than it opens.
  function unparenBySpec(e: string): string | null {
    if (!/^\(.*\)$/s.test(e)) return null;
    const inner = e.slice(1, -1);
    let open = 0;
    for (const ch of inner) if ((open += ch === '(' ? 1 : ch === ')' ? -1 : 0) < 0) return null;
    return inner;
  }
  const atoms = ['l0', 's12', '7', '-1', 'V0.gi32_1(l1, 1)', 'W0[l2 >> 2]', '(l3 >>> 0)', '(a + 4 | 0)', 'x'];
  const odd = ['', 'in', '%', '>>>=', '**', '&|'];
  const cases: string[] = [];
  let x = 7;
  const pick = <T>(a: readonly T[]): T => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return a[(x >>> 16) % a.length];
  };
  // Operator-like tokens of one to three characters, made from operator characters rather
  // than taken from a list: the operators and their near misses (`==`, `<<=`, `&|`, ...).
  const OP_CHARS = ['&', '|', '^', '+', '-', '*', '<', '>', '=', '!', '?', ':'];
  const LONG_CHARS = ['&', '|', '<', '>', '=', '!'];
  const token = (): string => {
    const n = pick([1, 1, 2, 2, 2, 3, 3]);
    let t = '';
    for (let k = 0; k < n; k++) t += pick(n === 1 ? OP_CHARS : LONG_CHARS);
    return t;
  };
  for (let i = 0; i < 40000; i++) {
    let e = pick(atoms);
    const terms = 1 + (i % 3);
    for (let k = 0; k < terms; k++) {
      const op = i % 7 === 0 ? pick(odd) : token();
      e = pick([0, 1, 2]) === 0 ? `(${e} ${op} ${pick(atoms)})` : `${e} ${op} ${pick(atoms)}`;
      if (i % 11 === 0) e = e.replace(' ', '');
    }
    cases.push(e, `(${e})`, `(${e}) + (1)`, `${e})`, `(${e}`);
  }
  const seen = new Set<string>();
  for (const e of cases) {
    const want = splitByRegex(e);
    expect([e, splitTopLevel(e)]).toEqual([e, want]);
    expect([e, unparen(e)]).toEqual([e, unparenBySpec(e)]);
    if (want !== null) seen.add(want[1]);
  }
  // Every operator the reference knows came up split at least once.
  expect(seen.size).toBe(19);
});

test('the fast path for local.get and i32.const skips only what their descriptions make no-ops', () => {
  // FuncTranslator.translateOperator handles them before reading their descriptions; these
  // are the facts it relies on.
  for (const op of [0x20, 0x41]) {
    const d = opDesc(op)!;
    expect([d.name, d.tail, d.numeric, d.bigEstimate]).toEqual([d.name, false, false, BigEstimate.None]);
  }
});

test("BigInt-mode estimate classes follow each i64 operator's signature", () => {
  const cls = (name: string): BigEstimate => opDesc(opByName.get(name)!.code)!.bigEstimate;
  for (const n of ['and', 'or', 'xor', 'shl', 'shr_s', 'shr_u', 'rotl', 'rotr', 'extend_i32_s', 'extend_i32_u'])
    expect([n, cls(`i64.${n}`)]).toEqual([n, BigEstimate.Cost1]);
  for (const n of ['div_s', 'div_u', 'rem_s', 'rem_u', 'clz', 'ctz', 'popcnt', 'extend8_s', 'trunc_f64_s'])
    expect([n, cls(`i64.${n}`)]).toEqual([n, BigEstimate.Cost4]);
  for (const n of ['eqz', 'eq', 'ne', 'lt_s', 'lt_u', 'gt_u', 'le_s', 'ge_u'])
    expect([n, cls(`i64.${n}`)]).toEqual([n, BigEstimate.Even]);
  expect([cls('i64.mul'), cls('i64.add'), cls('i64.sub')]).toEqual([
    BigEstimate.Mul,
    BigEstimate.Gain,
    BigEstimate.Gain,
  ]);
  expect([cls('i32.wrap_i64'), cls('call'), cls('global.get'), cls('return'), cls('throw')]).toEqual([
    BigEstimate.Cost1,
    BigEstimate.Call,
    BigEstimate.Global,
    BigEstimate.Return,
    BigEstimate.Uncovered,
  ]);
});

describe('chainedNesting: the nesting that decides translation at compile time', () => {
  /** One function `(param i32)`: `parts` in order, each a run of `n` blocks opened one inside
   *  the other (`sep` before each inner block), and a br_table to every block innermost,
   *  so each block is a branch target the translated code keeps. */
  function nested(parts: { n: number; open?: string; sep?: string; first?: string }[]): string {
    let opens = '';
    let total = 0;
    for (const p of parts) {
      for (let k = 0; k < p.n; k++)
        opens += `${k > 0 ? (p.sep ?? '') : (p.first ?? '')}(${p.open ?? 'block'} $b${total + k} `;
      total += p.n;
    }
    const targets = Array.from({ length: total }, (_, k) => `$b${k}`).join(' ');
    return `(module (func (param i32) ${opens}(br_table ${targets} (local.get 0))${')'.repeat(total)}))`;
  }
  const nesting = (wat: string): number => chainedNesting(decodeModule(parseWat(wat), { lazyBodies: true }), 0);
  /** The brace nesting of the function's translated code, its own braces not counted. */
  function translatedNesting(wat: string): number {
    const m = decodeModule(parseWat(wat), { lazyBodies: true });
    const v = validateModuleInfo(m);
    const body = lazyTranslator(m, new VMOffsets(m), v.canon).lazySource(0).body;
    let d = 0;
    let max = 0;
    for (const c of body) {
      if (c === '{') max = Math.max(max, ++d);
      else if (c === '}') d--;
    }
    return max - 1;
  }

  test.each([
    ['399 blocks: no chain', [{ n: 399 }], 399],
    ['400 blocks: a chain, two levels', [{ n: 400 }], 2],
    ['1,200 blocks: one chain', [{ n: 1200 }], 2],
    ['300 blocks, a nop, 500 blocks', [{ n: 300 }, { n: 500, first: '(nop) ' }], 302],
    ['1,001 blocks with a nop before each inner one', [{ n: 1001, sep: '(nop) ' }], 1001],
    ['450 loops (loops never chain)', [{ n: 450, open: 'loop' }], 450],
  ])('%s', (_, parts, want) => {
    const wat = nested(parts as { n: number; open?: string; sep?: string; first?: string }[]);
    expect(nesting(wat)).toBe(want);
    // The translated code nests the blocks no deeper; an instruction's own braces (here
    // br_table's switch) come on top, as they do on a function's control depth.
    expect(translatedNesting(wat)).toBeLessThanOrEqual(nesting(wat) + 2);
  });

  test('blocks with a result chain, blocks with parameters end a run', () => {
    const typed = (n: number): string =>
      `(module (func (param i32) (result i32) ${'(block (result i32) '.repeat(n)}(i32.const 1)${')'.repeat(n)}))`;
    expect(nesting(typed(450))).toBe(2);
    expect(nesting(typed(399))).toBe(399);
    const withParams = `(module (type $t (func (param i32) (result i32)))
      (func (param i32) (result i32) ${'(block (result i32) '.repeat(300)}(local.get 0)
        ${'(block (type $t) '.repeat(150)}${')'.repeat(150)}${')'.repeat(300)}))`;
    // The first block with parameters ends the run of 300 and begins one of 150.
    expect(nesting(withParams)).toBe(450);
  });
});
