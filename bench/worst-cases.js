'use strict';
// Worst-case modules at the implementation limits (compiler/limits.ts): each is generated at
// two sizes, the limit (or the size) and half of it, and compiled, instantiated and
// called in a fresh process. The table shows each phase's time, the process's peak RSS and
// the ratio of the big size's total to the small one's: about 2 for linear growth.
//
//   npm run bench:worst                    # every case, default engine configuration
//   npm run bench:worst -- --only globals,functions
//   npm run bench:worst -- --eager         # translate every function at compile time
//   npm run bench:worst -- --json out.json
//
// Loads the worktree's `dist/` (run `npx tsc -p tsconfig.json` first).

const path = require('path');
const fs = require('fs');
const { spawnSync } = require('child_process');

const DIST = path.join(__dirname, '..', 'dist', 'index.js');

// ------------------------------------------------------------------ encoding helpers

function uleb(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function sleb(v) {
  const out = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** Appends the bytes of `src` to `dst` without spreading (bodies run to megabytes). */
function append(dst, src) {
  for (let i = 0; i < src.length; i++) dst.push(src[i]);
  return dst;
}

function name(s) {
  return [...uleb(s.length), ...Buffer.from(s, 'utf8')];
}

function section(id, content) {
  return append([id, ...uleb(content.length)], content);
}

function vec(items) {
  const out = uleb(items.length);
  for (const it of items) append(out, it);
  return out;
}

/** A module from its sections (each [id, content bytes]), in the order given. */
function moduleBytes(sections) {
  const out = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  for (const [id, content] of sections) append(out, section(id, content));
  return Uint8Array.from(out);
}

/** One code entry: locals groups ([count, type]) and instructions (the final end added). */
function codeEntry(localGroups, instrs) {
  const body = uleb(localGroups.length);
  for (const [n, t] of localGroups) append(append(body, uleb(n)), [t]);
  append(body, instrs);
  body.push(0x0b);
  return append(uleb(body.length), body);
}

const I32 = 0x7f;
const FUNC_I32_I32 = [0x60, 1, I32, 1, I32];

/** A module of one function [i32] -> [i32] exported as "run". */
function oneFunction(localGroups, instrs) {
  return moduleBytes([
    [1, vec([FUNC_I32_I32])],
    [3, vec([[0]])],
    [7, vec([[...name('run'), 0, 0]])],
    [10, vec([codeEntry(localGroups, instrs)])],
  ]);
}

// ------------------------------------------------------------------ the cases

/**
 * Each case: `sizes` (the big one first) and `make(n)` returning the module and how to call
 * "run" (its argument and expected result, or null to only call it).
 */
const CASES = {
  // n blocks each opened first thing in the one before; innermost a br_table over every other
  // block; after each block's end a step folding its depth into the accumulator (param 0).
  'nested-blocks': {
    what: 'blocks nested n deep (nesting limit 100,000) under a br_table',
    sizes: [100_000, 50_000],
    make(n) {
      const b = [];
      for (let k = 0; k < n; k++) b.push(0x02, 0x40);
      const labels = [];
      for (let k = 0; k < n; k += 2) labels.push(k);
      append(b, [0x20, 0x00, 0x0e, ...uleb(labels.length)]);
      for (const l of labels) append(b, uleb(l));
      append(b, uleb(n - 1));
      for (let k = n; k >= 1; k--) append(b, [0x0b, 0x20, 0x00, 0x41, ...sleb(k & 63), 0x6a, 0x21, 0x00]);
      b.push(0x20, 0x00);
      return { bytes: oneFunction([], b), arg: 3, want: null };
    },
  },
  // A br_table of n targets (the br_table limit 65,520) into 4 blocks: label k is k mod 4.
  'br-table': {
    what: 'one br_table of n targets (limit 65,520)',
    sizes: [65_520, 32_760],
    make(n) {
      const b = [0x02, 0x40, 0x02, 0x40, 0x02, 0x40, 0x02, 0x40, 0x20, 0x00, 0x0e, ...uleb(n)];
      for (let k = 0; k < n; k++) b.push(k & 3);
      b.push(3);
      for (let k = 0; k < 4; k++) append(b, [0x0b, 0x20, 0x00, 0x41, 1, 0x6a, 0x21, 0x00]);
      b.push(0x20, 0x00);
      return { bytes: oneFunction([], b), arg: 5, want: 5 + 4 - (5 & 3) };
    },
  },
  // n - 1 i32 locals besides the parameter (the locals limit 50,000 counts it); the body sums
  // the parameter into every 100th local and returns the last.
  'locals': {
    what: 'one function with n locals, the parameter included (limit 50,000)',
    sizes: [50_000, 25_000],
    make(n) {
      const b = [];
      for (let k = 100; k < n; k += 100) append(b, [0x20, ...uleb(k - 100), 0x20, 0x00, 0x6a, 0x21, ...uleb(k)]);
      append(b, [0x20, ...uleb(Math.floor((n - 1) / 100) * 100)]);
      const want = (Math.floor((n - 1) / 100) + 1) * 7;
      return { bytes: oneFunction([[n - 1, I32]], b), arg: 7, want };
    },
  },
  // A body of n bytes (the body limit 7,654,321): straight-line updates of the parameter.
  'big-body': {
    what: 'one function body of n bytes (limit 7,654,321)',
    sizes: [7_654_321, 3_827_160],
    make(n) {
      // local.get 0, i32.const 1, i32.add, local.set 0: 7 bytes. The body's size counts its
      // locals vector (1 byte), the final end and the closing local.get 0 (3 bytes).
      const step = [0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00];
      const b = [];
      const steps = Math.floor((n - 4) / 7);
      for (let k = 0; k < steps; k++) append(b, step);
      while (b.length < n - 4) b.push(0x01); // nop padding to the exact size
      b.push(0x20, 0x00);
      return { bytes: oneFunction([], b), arg: 0, want: steps };
    },
  },
  // n mutable i32 globals (limit 1,000,000); "run" reads and writes the last.
  'globals': {
    what: 'n mutable i32 globals (limit 1,000,000)',
    sizes: [1_000_000, 500_000],
    make(n) {
      const globals = uleb(n);
      for (let k = 0; k < n; k++) append(globals, [I32, 1, 0x41, ...sleb(k & 1023), 0x0b]);
      const last = uleb(n - 1);
      const b = [0x23, ...last, 0x20, 0x00, 0x6a, 0x24, ...last, 0x23, ...last];
      return {
        bytes: moduleBytes([
          [1, vec([FUNC_I32_I32])],
          [3, vec([[0]])],
          [6, globals],
          [7, vec([[...name('run'), 0, 0]])],
          [10, vec([codeEntry([], b)])],
        ]),
        arg: 1,
        want: ((n - 1) & 1023) + 1,
      };
    },
  },
  // n functions of one type, function k returning its argument plus k; "run" (the last)
  // calls function 0 and function n/2.
  'functions': {
    what: 'n functions (issue: 100,000; limit 1,000,000)',
    sizes: [100_000, 50_000],
    make(n) {
      const funcs = uleb(n);
      for (let k = 0; k < n; k++) funcs.push(0);
      const codes = uleb(n);
      for (let k = 0; k < n - 1; k++) append(codes, codeEntry([], [0x20, 0x00, 0x41, ...sleb(k), 0x6a]));
      append(codes, codeEntry([], [0x20, 0x00, 0x10, 0x00, 0x10, ...uleb(n >> 1)]));
      return {
        bytes: moduleBytes([
          [1, vec([FUNC_I32_I32])],
          [3, funcs],
          [7, vec([[...name('run'), 0, ...uleb(n - 1)]])],
          [10, codes],
        ]),
        arg: 1,
        want: 1 + (n >> 1),
      };
    },
  },
  // One rec group of n struct types, type k holding a field (ref null k+1) and the last one
  // (ref null 0): one cycle through the whole group, so it is canonicalized as one.
  'rec-group': {
    what: 'one rec group of n mutually recursive struct types (types limit 1,000,000)',
    sizes: [1_000_000, 500_000],
    make(n) {
      const types = [0x01, 0x4e, ...uleb(n)];
      for (let k = 0; k < n; k++) append(types, [0x5f, 0x01, 0x63, ...sleb((k + 1) % n), 0x01]);
      return { bytes: moduleBytes([[1, types]]), arg: null, want: null };
    },
  },
  // n types in subtype chains 63 deep (the depth limit): rec groups of 64 struct types, each
  // an open subtype of the one before it in its group. The groups are structurally equal, so
  // all canonicalize to the first.
  'subtype-chains': {
    what: 'n struct types in subtype chains 63 deep (depth limit 63)',
    sizes: [1_000_000, 500_000],
    make(n) {
      const groups = [];
      for (let count = 0; count < n; count += 64) {
        const m = Math.min(64, n - count);
        const g = [0x4e, ...uleb(m)];
        for (let k = 0; k < m; k++) {
          append(g, k === 0 ? [0x50, 0x00] : [0x50, 0x01, ...uleb(count + k - 1)]);
          g.push(0x5f, 0x01, I32, 0x00);
        }
        groups.push(g);
      }
      return { bytes: moduleBytes([[1, vec(groups)]]), arg: null, want: null };
    },
  },
};

// ------------------------------------------------------------------ measuring (child)

function measure(caseName, n, eager) {
  const jw = require(DIST);
  const t0 = performance.now();
  const { bytes, arg, want } = CASES[caseName].make(n);
  const t1 = performance.now();
  const engine = new jw.Engine(eager ? { compilation: 'eager' } : {});
  const module = jw.Module.fromBinary(engine, bytes);
  const t2 = performance.now();
  const instance = new jw.Linker(engine).instantiate(new jw.Store(engine), module);
  const t3 = performance.now();
  let result = null;
  if (arg !== null) {
    try {
      result = instance.getFunc('run').call(arg)[0];
    } catch (e) {
      result = `${e.constructor.name}: ${e.message}`;
    }
  }
  const t4 = performance.now();
  if (want !== null && result !== want) throw new Error(`${caseName} ${n}: run returned ${result}, expected ${want}`);
  return {
    case: caseName, n, bytes: bytes.length,
    generateMs: t1 - t0, compileMs: t2 - t1, instantiateMs: t3 - t2, callMs: t4 - t3,
    result, maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

// ------------------------------------------------------------------ the table (parent)

function runChild(caseName, n, eager) {
  const args = [__filename, '--child', caseName, String(n)];
  if (eager) args.push('--eager');
  const r = spawnSync(process.execPath, ['--stack-size=984', ...args], { encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').slice(-3).join(' | ');
    return { case: caseName, n, error: why || `exit ${r.status} (signal ${r.signal})` };
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const ms = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1)).padStart(8);

function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const out = measure(argv[1], Number(argv[2]), argv.includes('--eager'));
    process.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  if (!fs.existsSync(DIST)) {
    console.error(`${DIST} is missing: build with npx tsc -p tsconfig.json`);
    process.exit(1);
  }
  const eager = argv.includes('--eager');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? argv[onlyAt + 1].split(',') : Object.keys(CASES);
  const jsonAt = argv.indexOf('--json');
  const rows = [];
  console.log(`worst cases, ${eager ? 'eager' : 'default (lazy)'} compilation, node ${process.version}`);
  console.log(`${'case'.padEnd(15)} ${'n'.padStart(9)} ${'bytes'.padStart(10)} ${'compile'.padStart(8)} ${'inst'.padStart(8)} ${'call'.padStart(8)} ${'total'.padStart(8)} ${'RSS MB'.padStart(7)} ${'ratio'.padStart(6)}  result`);
  for (const name of only) {
    if (!CASES[name]) throw new Error(`unknown case ${name}; cases: ${Object.keys(CASES).join(', ')}`);
    const [big, small] = CASES[name].sizes;
    const rs = [runChild(name, small, eager), runChild(name, big, eager)];
    const total = (r) => r.compileMs + r.instantiateMs + r.callMs;
    for (const r of rs) {
      rows.push(r);
      if (r.error) {
        console.log(`${name.padEnd(15)} ${String(r.n).padStart(9)}  FAILED: ${r.error}`);
        continue;
      }
      const ratio = r === rs[1] && !rs[0].error ? (total(r) / total(rs[0])).toFixed(2) : '';
      const result = r.result === null ? '' : String(r.result).slice(0, 60);
      console.log(`${name.padEnd(15)} ${String(r.n).padStart(9)} ${String(r.bytes).padStart(10)} ${ms(r.compileMs)} ${ms(r.instantiateMs)} ${ms(r.callMs)} ${ms(total(r))} ${r.maxRssMB.toFixed(0).padStart(7)} ${ratio.padStart(6)}  ${result}`);
    }
  }
  console.log('times in ms; compile = Module.fromBinary (decode, validate, translate what the mode translates up front); ratio = total at n / total at n/2');
  if (jsonAt >= 0) fs.writeFileSync(argv[jsonAt + 1], JSON.stringify(rows, null, 2));
}

main();
