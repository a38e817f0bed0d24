// Lazy translation: functions are translated on first call, keep one identity (funcref,
// export, table entry) before and after, and behave like eagerly translated ones.
import { parseWat } from '../compiler/text';
import { Engine, Store, Module, Instance, Func, Table, Memory } from './index';

const WAT = `(module
  (type $t (func (param i64) (result i64)))
  (table 2 funcref) (elem (i32.const 0) $sq $cube)
  (func $sq (type $t) (i64.mul (local.get 0) (local.get 0)))
  (func $cube (type $t) (i64.mul (local.get 0) (call $sq (local.get 0))))
  (func (export "indirect") (param i64 i32) (result i64) (call_indirect (type $t) (local.get 0) (local.get 1)))
  (export "table" (table 0))
  (func (export "nan") (result f32) (f32.const nan:0x200000))
  (func $count (export "count") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (return_call $count (i32.sub (local.get 0) (i32.const 1))))))
  (export "sq" (func $sq))
  (memory 1)
  (func (export "mem") (param i32) (result i32)
    (i32.store (i32.const 16) (local.get 0))
    (drop (memory.grow (i32.const 1)))
    (i32.add (i32.load (i32.const 16)) (memory.size))))`;

function instantiate(compilation: 'lazy' | 'eager'): Instance {
  const engine = new Engine({ compilation });
  return Instance.instantiate(new Store(engine), Module.fromBinary(engine, parseWat(WAT)), []);
}

describe('lazy translation', () => {
  test('the module source holds stubs only', () => {
    const engine = new Engine({ compilation: 'lazy' });
    const m = Module.fromBinary(engine, parseWat(WAT));
    expect(m.code.lazySource).toBeDefined();
    expect(m.code.source).not.toContain('imul(');
    expect(m.code.lazySource!(0).body).toContain('imul(');
    expect(m.code.lazySource!(0).bindings).toContain('imul');
    // No direct eval in the factory: it would make V8 treat every binding there as dynamic.
    expect(m.code.source).not.toMatch(/\beval\(/);
  });

  test('lazy and eager instances compute the same results', () => {
    const lazy = instantiate('lazy');
    const eager = instantiate('eager');
    for (const inst of [lazy, eager]) {
      const f = (n: string): Func => inst.getExport(n) as Func;
      expect(f('indirect').call(7n, 1)).toEqual([343n]);
      expect(f('indirect').call(-3n, 0)).toEqual([9n]);
      expect(f('sq').call(0x100000001n)).toEqual([0x200000001n]);
      // Memory access, growth and the views' refresh in a lazily translated function.
      expect(f('mem').call(40)).toEqual([42]);
      expect(f('count').call(100000)).toEqual([0]);
      expect(f('nan').call()).toHaveLength(1);
    }
  });

  test('a function keeps its identity across its first call', () => {
    const inst = instantiate('lazy');
    const sq = inst.getExport('sq') as Func;
    const table = inst.getExport('table') as Table;
    const before = sq.callable;
    expect(table.elements[0]).toBe(before);
    expect(sq.call(2n)).toEqual([4n]);
    expect(sq.callable).toBe(before);
    expect(table.elements[0]).toBe(before);
    expect((inst.getExport('indirect') as Func).call(5n, 0)).toEqual([25n]);
  });
});

describe("lazy translation under the 'interpreter' profile", () => {
  // Two memories; functions compiled before a growth must see the grown memories after it,
  // whether Wasm code or the host grows them.
  const wat = `(module
    (memory $a (export "a") 1) (memory $b 1)
    (func (export "load") (param i32) (result i32)
      (i32.add (i32.load $a (local.get 0)) (i32.load $b (local.get 0))))
    (func (export "store") (param i32 i32)
      (i32.store $a (local.get 0) (local.get 1)) (i32.store $b (local.get 0) (local.get 1)))
    (func (export "grow") (result i32)
      (drop (memory.grow $b (i32.const 1))) (memory.grow $a (i32.const 1))))`;

  test('each lazily compiled function keeps its own view variables, registered for refresh', () => {
    const engine = new Engine({ codegen: 'interpreter', compilation: 'lazy' });
    const m = Module.fromBinary(engine, parseWat(wat));
    expect(m.code.source).toContain('function viewsTo(r)');
    const src = m.code.lazySource!(0).body;
    expect(src).toContain('var D0, U0, L0, W0, D1, U1, L1, W1;');
    expect(src).toContain('viewsTo(function (');
    expect(src).not.toMatch(/\bV0\./);
  });

  test('views stay current across growth by Wasm code and by the host', () => {
    const engine = new Engine({ codegen: 'interpreter', compilation: 'lazy' });
    const inst = Instance.instantiate(new Store(engine), Module.fromBinary(engine, parseWat(wat)), []);
    const f = (n: string): Func => inst.getExport(n) as Func;
    // Compiled while each memory has one page.
    expect(f('load').call(8)).toEqual([0]);
    expect(() => f('load').call(65536)).toThrow(/out of bounds/);
    expect(f('grow').call()).toEqual([1]);
    f('store').call(65536, 21);
    expect(f('load').call(65536)).toEqual([42]);
    // The host grows memory $a (and $b stays at two pages).
    (inst.getExport('a') as Memory).grow(1);
    expect(f('load').call(131072 - 4)).toEqual([0]);
    expect(() => f('load').call(131072)).toThrow(/out of bounds/);
    expect(f('grow').call()).toEqual([3]);
    f('store').call(131072, 5);
    expect(f('load').call(131072)).toEqual([10]);
  });

  // A function with a loop that calls nothing and grows nothing cannot see its views change
  // while it runs: it reads them from locals copied at entry.
  const loops = `(module
    (memory (export "mem") 1)
    (func $sum (export "sum") (param $p i32) (param $n i32) (result i32) (local $s i32)
      (block $done (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
      (local.get $s))
    (func (export "sumTwice") (param i32 i32) (result i32) (local $k i32) (local $s i32)
      (loop $again
        (local.set $s (i32.add (local.get $s) (call $sum (local.get 0) (local.get 1))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $k) (i32.const 2))))
      (i32.add (local.get $s) (i32.load (local.get 0))))
    (func (export "grow") (result i32) (memory.grow (i32.const 1)))
    (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1))))`;

  test('a loop that calls nothing reads views copied at entry; one that calls does not', () => {
    const engine = new Engine({ codegen: 'interpreter', compilation: 'lazy' });
    const m = Module.fromBinary(engine, parseWat(loops));
    const sum = m.code.lazySource!(0).body;
    expect(sum).toContain('var D0$, U0$, L0$, W0$;');
    expect(sum).toMatch(/let D0 = D0\$, U0 = U0\$, L0 = L0\$, W0 = W0\$/);
    const twice = m.code.lazySource!(1).body;
    expect(twice).toContain('var D0, U0, L0, W0;');
    expect(twice).not.toContain('D0$');
    // No loop: the copies would cost more than they save.
    expect(m.code.lazySource!(3).body).not.toContain('D0$');
    // The 'jit' profile reads the views' holder, whatever the function does.
    const jit = Module.fromBinary(new Engine({ codegen: 'jit', compilation: 'lazy' }), parseWat(loops));
    expect(jit.code.lazySource!(0).body).not.toContain('D0$');
  });

  test('copied views are current at every entry, after growth by Wasm code or the host', () => {
    const engine = new Engine({ codegen: 'interpreter', compilation: 'lazy' });
    const inst = Instance.instantiate(new Store(engine), Module.fromBinary(engine, parseWat(loops)), []);
    const f = (n: string): Func => inst.getExport(n) as Func;
    f('store').call(0, 1);
    f('store').call(65532, 2);
    expect(f('sum').call(0, 16384)).toEqual([3]);
    expect(() => f('sum').call(65532, 2)).toThrow(/out of bounds/);
    expect(f('grow').call()).toEqual([1]);
    f('store').call(65536, 4);
    expect(f('sum').call(65532, 2)).toEqual([6]);
    expect(f('sumTwice').call(65532, 2)).toEqual([14]);
    (inst.getExport('mem') as Memory).grow(1);
    f('store').call(131072, 8);
    expect(f('sum').call(131068, 2)).toEqual([8]);
    expect(f('sum').call(196604, 1)).toEqual([0]);
    expect(() => f('sum').call(196604, 2)).toThrow(/out of bounds/);
  });

  test('a function translated at compile time (nested too deep to wait) keeps the shared views', () => {
    // More than LAZY_MAX_CONTROL_DEPTH (1,000) blocks around a loop that calls nothing: it
    // is placed in the factory, which has no copies' source variables. A nop before each
    // inner block keeps them from forming a block chain (then they would nest two deep).
    const depth = 1001;
    const body = `${'(block (nop) '.repeat(depth)}
      (loop $next
        (local.set 1 (i32.add (local.get 1) (i32.load (local.get 0))))
        (local.set 0 (i32.add (local.get 0) (i32.const 4)))
        (br_if $next (i32.lt_u (local.get 0) (i32.const 16))))${')'.repeat(depth)}`;
    const wat = `(module (memory 1) (data (i32.const 0) "\\01\\00\\00\\00\\02\\00\\00\\00\\03\\00\\00\\00\\04\\00\\00\\00")
      (func (export "deep") (param i32) (result i32) (local i32) ${body} (local.get 1)))`;
    const engine = new Engine({ codegen: 'interpreter', compilation: 'lazy' });
    const m = Module.fromBinary(engine, parseWat(wat));
    expect(m.code.source).toContain('CODE[0] = g0;');
    expect(m.code.source).not.toContain('D0$');
    const inst = Instance.instantiate(new Store(engine), m, []);
    expect((inst.getExport('deep') as Func).call(0)).toEqual([10]);
  });

  test('a function deeper than that in blocks that form a chain waits for its first call', () => {
    // 1,200 blocks opened one inside the other become one block chain, two levels deep in
    // JS: nothing for V8's parser to fail on, so no reason to translate before a call.
    const depth = 1200;
    const targets = Array.from({ length: depth }, (_, k) => `$b${k}`).join(' ');
    const body = `${Array.from({ length: depth }, (_, k) => `(block $b${k} `).join('')}
      (br_table ${targets} (local.get 0))${')'.repeat(depth)}`;
    const wat = `(module (func (export "deep") (param i32) (result i32) ${body} (i32.const 7)))`;
    const engine = new Engine({ compilation: 'lazy' });
    const m = Module.fromBinary(engine, parseWat(wat));
    expect(m.code.source).not.toContain('CODE[0] = g0;');
    const inst = Instance.instantiate(new Store(engine), m, []);
    expect((inst.getExport('deep') as Func).call(3)).toEqual([7]);
  });

  test('a shared memory keeps its views in the shared variables', () => {
    const shared = loops.replace('(memory (export "mem") 1)', '(memory (export "mem") 1 4 shared)');
    const engine = new Engine({ codegen: 'interpreter', compilation: 'lazy' });
    const m = Module.fromBinary(engine, parseWat(shared));
    expect(m.code.lazySource!(0).body).not.toContain('D0$');
    const inst = Instance.instantiate(new Store(engine), m, []);
    const f = (n: string): Func => inst.getExport(n) as Func;
    f('store').call(4, 5);
    expect(f('sum').call(0, 4)).toEqual([5]);
  });
});
