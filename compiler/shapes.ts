// One long-lived object of each class the compiler creates afresh for every module.
//
// V8 gives an object whose constructor adds its fields a hidden class (map) that only a
// transition from the constructor's initial map refers to, and that reference is weak. When
// the last object with that map dies, a full GC frees the map and throws away all optimized
// code that checks for it ("weak objects" deoptimization). The compiler's readers, decoders,
// validators and translators are garbage once a module is compiled, so without a survivor
// every full GC between two compiles discards the compiler's own optimized code and the next
// compile runs unoptimized until V8 has re-optimized it. Measured on sql.js: decode plus
// eager translation took about twice as long after a full GC as warm.
//
// An anchor is built from empty input at load time; it holds nothing of any module.

const anchors: object[] = [];

/** Keeps `o` (and so its map) alive for the life of the process. */
export function anchorShape(o: object): void {
  anchors.push(o);
}
