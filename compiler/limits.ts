// Implementation limits on what a module declares, enforced while it is decoded.

/**
 * Implementation limits: the WebAssembly JS API's (V8 uses the same numbers), then limits of
 * our own where the JS API has none. Every module is held to them, through the embedder API
 * as through the JS API facade. Each is checked on a count or size before the items it counts
 * are read, so an oversized module is rejected for the cost of reading that count; the
 * failure is a CompileError('malformed') whose reason names the limit:
 * `too many globals (1000001; the implementation limit is 1000000)`.
 *
 * Not here: the JS API's table and memory sizes, which it makes limits of instantiation
 * (runtime/objects.ts: a RuntimeError, a RangeError through the facade) so that a module
 * declaring a large table still compiles; the 65536 pages of a 32-bit memory, which is core
 * validation; and the JS API's bound on 64-bit memories, far below what valid core modules
 * declare, which the facade checks (runtime/jsapi).
 */
export const LIMITS = {
  moduleBytes: 2 ** 30,
  /** Defined types. */
  types: 1_000_000,
  /** Recursion groups; the types limit bounds the types of one group too. */
  recGroups: 1_000_000,
  /**
   * Depth of a subtype chain: a type declared without a supertype has depth 0, its direct
   * subtype depth 1. A subtype check walks a type's chain up to its target's depth
   * (types/index.ts), so the depth bounds the cost of each check, in validation and in casts.
   */
  subtypeDepth: 63,
  /** Defined functions, globals and tags. */
  functions: 1_000_000,
  globals: 1_000_000,
  tags: 1_000_000,
  imports: 1_000_000,
  exports: 1_000_000,
  dataSegments: 100_000,
  elementSegments: 10_000_000,
  /** Entries of one element segment. */
  tableInitEntries: 10_000_000,
  /** Imported and defined. */
  tables: 100_000,
  memories: 100,
  /** Of any function type, and so of any block type. */
  params: 1_000,
  results: 1_000,
  structFields: 10_000,
  /** Operands of one array.new_fixed. */
  arrayNewFixed: 10_000,
  /** A function body's size, its locals declarations included. */
  functionBodyBytes: 7_654_321,
  /**
   * Declared locals plus parameters. Bodies are expanded to one entry per declared local,
   * so the limit also bounds that allocation.
   */
  locals: 50_000,
  /**
   * Labels of one br_table, the default excluded (V8's number; the JS API has none). The
   * validator checks each label against the frame it targets and the translator emits a
   * case per label, so this bounds the work one instruction can ask for.
   */
  brTableTargets: 65_520,
  /**
   * Control constructs open at once in a function body (block, loop, if, try, try_table;
   * the body itself not counted). Ours: the validator and translator keep one frame per
   * open construct, which without a limit only the body size bounds (3.8 million). Chosen
   * above a br_table dispatch at the br_table limit: one block per target, each opened
   * first thing in the one before (as Go emits them), which the translator turns into a
   * block chain that is not nested in JavaScript. Constructs it must nest in JavaScript
   * meet V8's parser far sooner; that limit is a CompileError at translation (see
   * compiler/translate/index.ts compileFactory).
   */
  nesting: 100_000,
} as const;

/** `too many <what> (<n>; the implementation limit is <limit>)`: every limit's message. */
export function limitMessage(what: string, n: number, limit: number): string {
  return `too many ${what} (${n}; the implementation limit is ${limit})`;
}
