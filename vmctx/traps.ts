// The trap messages: the text of every RuntimeError raised for a Wasm trap, by generated
// code (`trap(msg)` with the message inlined as a string literal) or by the runtime. The
// messages are the spec interpreter's, which the spec tests' assert_trap compares by prefix.
// Every place that raises one of these traps names it here; none spells the text itself.

export const TRAP = {
  unreachable: 'unreachable',
  memoryOutOfBounds: 'out of bounds memory access',
  tableOutOfBounds: 'out of bounds table access',
  arrayOutOfBounds: 'out of bounds array access',
  integerDivisionByZero: 'integer divide by zero',
  integerOverflow: 'integer overflow',
  badConversionToInteger: 'invalid conversion to integer',
  indirectCallToNull: 'null function reference',
  /** call_indirect through a table element that is null (a table of a nullable type). */
  uninitializedElement: 'uninitialized element',
  /** call_indirect through an index past the table's end. */
  undefinedElement: 'undefined element',
  badSignature: 'indirect call type mismatch',
  nullReference: 'null reference',
  nullStructReference: 'null structure reference',
  nullArrayReference: 'null array reference',
  nullI31Reference: 'null i31 reference',
  nullExceptionReference: 'null exception reference',
  castFailure: 'cast failure',
  /** Custom descriptors: a null descriptor operand (struct.new_desc and the descriptor casts). */
  nullDescriptorReference: 'null descriptor reference',
  /** Custom descriptors: ref.cast_desc_eq of a value whose descriptor is another. */
  descriptorCastFailure: 'descriptor cast failure',
  allocationTooLarge: 'array too large',
  stackExhausted: 'call stack exhausted',
  outOfFuel: 'all fuel consumed',
  interrupt: 'interrupt',
} as const;

export type TrapMessage = (typeof TRAP)[keyof typeof TRAP];
