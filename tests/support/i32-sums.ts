// A module of i32 sums for the 'interpreter' profile's sum folding (compiler/translate
// func.ts addSub): its source shape is tested in compiler/translate, its results in runtime.

/** Functions: 0 "sum", 1 "mix", 2 "shift", 3 "chain" (a 101-term sum, longer than one chain). */
export const I32_SUMS_WAT = `(module
  (func (export "sum") (param i32 i32 i32 i32) (result i32)
    (i32.sub (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2))
             (i32.add (local.get 3) (local.get 0))))
  (func (export "mix") (param i32 i32) (result i32)
    (i32.xor (i32.add (local.get 0) (local.get 1)) (i32.shr_u (local.get 0) (i32.const 3))))
  (func (export "shift") (param i32 i32) (result i32)
    (i32.shl (local.get 0) (i32.add (local.get 1) (local.get 1))))
  (func (export "chain") (param i32) (result i32)
    ${'(i32.add '.repeat(100)}(local.get 0)${' (i32.const 2147483647))'.repeat(100)}))`;
