;; Threads as separate agents: a thread sees the shared modules' memories (and nothing the
;; script registered: each agent has its own registry), a wait in one thread is ended by a
;; notify in another, growth in one thread is seen by the script, and a plain race allows
;; either value.

(module $Mem
  (memory (export "shared") 1 4 shared)
)

;; T1 waits at word 64 (expected 0, no timeout): only a notify can end it, with "ok" (0).
(thread $T1 (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 4 shared)
    (func (export "run") (result i32)
      (memory.atomic.wait32 (i32.const 64) (i32.const 0) (i64.const -1)))
  )
  (assert_return (invoke "run") (i32.const 0))
)

;; T2 notifies word 64 until it has woken one waiter, then stores 42 and grows the memory.
(thread $T2 (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 4 shared)
    (func (export "wake") (result i32) (local $n i32)
      (loop $again
        (br_if $again (i32.eqz (local.tee $n (memory.atomic.notify (i32.const 64) (i32.const 1))))))
      (local.get $n))
    (func (export "store") (i32.store (i32.const 0) (i32.const 42)))
    (func (export "grow") (result i32) (memory.grow (i32.const 2)))
    (func (export "size") (result i32) (memory.size))
  )
  (assert_return (invoke "wake") (i32.const 1))
  (invoke "store")
  (assert_return (invoke "grow") (i32.const 1))
  (assert_return (invoke "size") (i32.const 3))
)

;; T3 races with T2's plain store: either value.
(thread $T3 (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 4 shared)
    (func (export "run") (result i32) (i32.load (i32.const 0)))
  )
  (assert_return (invoke "run") (either (i32.const 0) (i32.const 42)))
)

(wait $T1)
(wait $T2)
(wait $T3)

;; Registrations made in threads are theirs.
(assert_unlinkable
  (module (memory (import "mem" "shared") 1 4 shared))
  "unknown import"
)

(register "mem" $Mem)
(module $Check
  (memory (import "mem" "shared") 1 4 shared)
  (func (export "size") (result i32) (memory.size))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
)
(assert_return (invoke $Check "size") (i32.const 3))
(assert_return (invoke $Check "load" (i32.const 0)) (i32.const 42))
(assert_return (invoke $Check "load" (i32.const 196604)) (i32.const 0))
(assert_trap (invoke $Check "load" (i32.const 196608)) "out of bounds memory access")
