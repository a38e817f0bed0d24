// The shape of generated code as the runtime sees it: the module factory's parameters, and
// a glossary of the names generated code uses (compiler/translate emits them; they are
// positional, so nothing from the module's own names ever enters the source).
//
// The factory: `function (vm, H, LZ, LIMS) { ...prelude; functions; return { funcs, refresh } }`
//   vm    the instance's VMContext (index.ts).
//   H     the helper object (helpers.ts VMHelpers); the prelude destructures every helper
//         name from it once (`var { trap, ... } = H;`).
//   LZ    lazy mode: `LZ(k)`, the source of defined function k (compiler/translate
//         LazyFunction), translated on the function's first call; undefined otherwise.
//   4th   LIMS for code translated in this process: the store's limits state
//         (runtime/limits.ts StoreLimitsState), read by fuel and interrupt checks only.
//         CT for ahead-of-time output (runtime/aot): the canonical type id of every type
//         index, computed at load time; the output binds `ct$N = CT[N]` where translated
//         code would have the id N's constant. AOT output has no fuel or interrupt checks.
//
// Prelude bindings (each assigned once):
//   I32 I64 F64 R     vm.i32, vm.i64, vm.f64, vm.refs
//   imul clz32 fround sqrt   Math's functions
//   F<i>              imported function i's callable
//   G<g>              global g's cell: an imported global's typed-array view (an i64 one as
//                     an Int32Array of its two words) or a reference global's RefCell;
//                     defined numeric globals are read in the slab, as I32[k] / F64[k] /
//                     I32[2k], I32[2k+1] (i64) and I32[4k..4k+3] (v128)
//   T<t> E<t>         table t and its `elements` array
//   X<t>              tag t
//   M<m>              memory m
//   V<m>.d<k> .u<k> .l<k>   'jit' profile: memory m's DataView, Uint8Array and byte length,
//                     in a holder object; k is a per-module key, so holders of different
//                     modules never share a V8 hidden class
//   V<m>.gi32_<k> .si32_<k> ...   'jit' profile: the DataView's methods of plain loads and
//                     stores bound to it (translate/env.ts DATA_VIEW_ACCESSORS)
//   D<m> U<m> L<m> W<m>     'interpreter' profile: the same as closure variables, and W an
//                     Int32Array over the memory's whole words (for aligned int32 access)
//   refresh           re-reads every memory's views (registered with each memory)
//   RF viewsTo        lazy interpreter-profile code: setters of each lazily compiled
//                     function's own view variables, called by refresh
//   K<n>              the module's constant pool (NaN literals, v128 constants)
//   FUEL ICNT         fuel and the interrupt-poll countdown (compiler/translate/checks.ts)
// Functions:
//   f<N>              function N (function index space); in lazy mode g<N> is its
//                     translated code and f<N> a stub
//   FN[k] CODE[k]     lazy mode: defined function k's identity (its stub) and what direct
//                     calls call (the stub, then its translated code)
//   S[a]              lazy mode: the stub maker for functions of a JS parameters
//   AR B lzc          lazy mode: every function's JS arity, the bindings lazily compiled
//                     functions receive, and the first-call path of a stub
// Inside a function:
//   l<i> h<i>         local i (h<i>: the high word of an i64 local)
//   s<d> t<d>         operand stack slot d (t<d>: the high word of an i64 value)
//   a                 a scratch variable: the effective address of a bounds-checked access

/** The factory's parameters, in order (the 4th is named LIMS in this process's code). */
export const FACTORY_PARAMS = ['vm', 'H', 'LZ', 'LIMS'] as const;
