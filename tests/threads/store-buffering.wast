;; Store buffering (SB): each thread stores to its word, then loads the other's.
;;
;; T1: x := 1; r1 := y.   T2: y := 1; r2 := x.   (all atomic)
;; Each of 2000 rounds uses fresh words, and the threads meet at a barrier before each
;; round so that their accesses race. The check counts the rounds whose outcome the memory
;; model forbids (r1 = 0 and r2 = 0; allowed: (0, 1), (1, 0), (1, 1)); it must be 0. Sequentially consistent atomics forbid it.

(module $Mem
  (memory (export "shared") 1 1 shared)
)
(register "mem" $Mem)

(thread $T1 (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    ;; Both threads meet before round $i: the counter at 0 reaches 2 * ($i + 1). Spin a
    ;; little (so the rounds race), then wait; the second to arrive notifies.
    (func $barrier (param $i i32) (local $target i32) (local $v i32) (local $n i32)
      (local.set $target (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 1)))
      (if (i32.eq (i32.add (i32.atomic.rmw.add (i32.const 0) (i32.const 1)) (i32.const 1)) (local.get $target))
        (then (drop (memory.atomic.notify (i32.const 0) (i32.const -1))) (return)))
      (loop $spin
        (local.set $v (i32.atomic.load (i32.const 0)))
        (if (i32.lt_u (local.get $v) (local.get $target))
          (then
            (if (i32.lt_u (local.get $n) (i32.const 1000))
              (then (local.set $n (i32.add (local.get $n) (i32.const 1))))
              (else (drop (memory.atomic.wait32 (i32.const 0) (local.get $v) (i64.const -1)))))
            (br $spin)))))
    ;; Round $i's words: x at 4096 + 8i, y at 4100 + 8i; results r1 at 32768 + 8i, r2 at 32772 + 8i.
    (func $x (param i32) (result i32) (i32.add (i32.const 4096) (i32.shl (local.get 0) (i32.const 3))))
    (func $y (param i32) (result i32) (i32.add (i32.const 4100) (i32.shl (local.get 0) (i32.const 3))))
    (func $r1 (param i32) (result i32) (i32.add (i32.const 32768) (i32.shl (local.get 0) (i32.const 3))))
    (func $r2 (param i32) (result i32) (i32.add (i32.const 32772) (i32.shl (local.get 0) (i32.const 3))))
    (func (export "run") (local $i i32)
      (loop $round
        (call $barrier (local.get $i))
        (i32.atomic.store (call $x (local.get $i)) (i32.const 1))
        (i32.store (call $r1 (local.get $i)) (i32.atomic.load (call $y (local.get $i))))
        (br_if $round (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 2000)))))
  )
  (assert_return (invoke "run"))
)

(thread $T2 (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    ;; Both threads meet before round $i: the counter at 0 reaches 2 * ($i + 1). Spin a
    ;; little (so the rounds race), then wait; the second to arrive notifies.
    (func $barrier (param $i i32) (local $target i32) (local $v i32) (local $n i32)
      (local.set $target (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 1)))
      (if (i32.eq (i32.add (i32.atomic.rmw.add (i32.const 0) (i32.const 1)) (i32.const 1)) (local.get $target))
        (then (drop (memory.atomic.notify (i32.const 0) (i32.const -1))) (return)))
      (loop $spin
        (local.set $v (i32.atomic.load (i32.const 0)))
        (if (i32.lt_u (local.get $v) (local.get $target))
          (then
            (if (i32.lt_u (local.get $n) (i32.const 1000))
              (then (local.set $n (i32.add (local.get $n) (i32.const 1))))
              (else (drop (memory.atomic.wait32 (i32.const 0) (local.get $v) (i64.const -1)))))
            (br $spin)))))
    ;; Round $i's words: x at 4096 + 8i, y at 4100 + 8i; results r1 at 32768 + 8i, r2 at 32772 + 8i.
    (func $x (param i32) (result i32) (i32.add (i32.const 4096) (i32.shl (local.get 0) (i32.const 3))))
    (func $y (param i32) (result i32) (i32.add (i32.const 4100) (i32.shl (local.get 0) (i32.const 3))))
    (func $r1 (param i32) (result i32) (i32.add (i32.const 32768) (i32.shl (local.get 0) (i32.const 3))))
    (func $r2 (param i32) (result i32) (i32.add (i32.const 32772) (i32.shl (local.get 0) (i32.const 3))))
    (func (export "run") (local $i i32)
      (loop $round
        (call $barrier (local.get $i))
        (i32.atomic.store (call $y (local.get $i)) (i32.const 1))
        (i32.store (call $r2 (local.get $i)) (i32.atomic.load (call $x (local.get $i))))
        (br_if $round (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 2000)))))
  )
  (assert_return (invoke "run"))
)

(wait $T1)
(wait $T2)

(module $Check
  (memory (import "mem" "shared") 1 1 shared)
  (func (export "forbidden") (result i32) (local $i i32) (local $bad i32) (local $r1 i32) (local $r2 i32)
    (loop $round
      (local.set $r1 (i32.load (i32.add (i32.const 32768) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $r2 (i32.load (i32.add (i32.const 32772) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $bad (i32.add (local.get $bad) (i32.and (i32.eqz (local.get $r1)) (i32.eqz (local.get $r2)))))
      (br_if $round (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 2000))))
    (local.get $bad))
  (func (export "barrier") (result i32) (i32.atomic.load (i32.const 0)))
)
(assert_return (invoke $Check "barrier") (i32.const 4000))
(assert_return (invoke $Check "forbidden") (i32.const 0))
