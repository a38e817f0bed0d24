// Bundle entry `aot.mjs`: the loader of ahead-of-time output (`jetwasm compile`), for a page
// that imports compiled modules without a bundler. It reaches no compiler code and evaluates
// no strings (GC struct types aside, see runtime/aot/README.md), so it runs under a
// Content-Security-Policy without 'unsafe-eval'.
export * from '../runtime/aot/index';
