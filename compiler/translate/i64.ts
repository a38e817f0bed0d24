// i64 expression emission. Every piece of generated code that touches the representation of
// an i64 value is produced here, so the representation (BigInt today, signed and always in
// [-2^63, 2^63)) can later become (lo, hi) int32 pairs without touching the translator.
//
// Operands are JS expression strings; the translator guarantees that operands passed to
// functions documented "(simple)" are identifiers or literals, safe to repeat.

export const I64_ZERO = '0n';

export function i64Const(v: bigint): string {
  return `${BigInt.asIntN(64, v)}n`;
}

const wrap = (e: string): string => `BigInt.asIntN(64, ${e})`;
const u = (e: string): string => `BigInt.asUintN(64, ${e})`;

/** Pure binary operators (no trap). Returns null for an unknown name. */
export function i64Binary(name: string, a: string, b: string): string | null {
  switch (name) {
    case 'add': return wrap(`${a} + ${b}`);
    case 'sub': return wrap(`${a} - ${b}`);
    case 'mul': return wrap(`${a} * ${b}`);
    case 'and': return `(${a} & ${b})`;
    case 'or': return `(${a} | ${b})`;
    case 'xor': return `(${a} ^ ${b})`;
    case 'shl': return wrap(`${a} << (${b} & 63n)`);
    case 'shr_s': return `(${a} >> (${b} & 63n))`;
    case 'shr_u': return wrap(`${u(a)} >> (${b} & 63n)`);
    case 'rotl': return `rotl64(${a}, ${b})`;
    case 'rotr': return `rotr64(${a}, ${b})`;
    default: return null;
  }
}

/** Comparisons, producing an i32 (0/1) expression. */
export function i64Compare(name: string, a: string, b: string): string | null {
  const c = (op: string, x: string, y: string): string => `(${x} ${op} ${y} ? 1 : 0)`;
  switch (name) {
    case 'eq': return c('===', a, b);
    case 'ne': return c('!==', a, b);
    case 'lt_s': return c('<', a, b);
    case 'gt_s': return c('>', a, b);
    case 'le_s': return c('<=', a, b);
    case 'ge_s': return c('>=', a, b);
    case 'lt_u': return c('<', u(a), u(b));
    case 'gt_u': return c('>', u(a), u(b));
    case 'le_u': return c('<=', u(a), u(b));
    case 'ge_u': return c('>=', u(a), u(b));
    default: return null;
  }
}

export const i64Eqz = (a: string): string => `(${a} === 0n ? 1 : 0)`;

export function i64Unary(name: string, a: string): string | null {
  switch (name) {
    case 'clz': return `clz64(${a})`;
    case 'ctz': return `ctz64(${a})`;
    case 'popcnt': return `popcnt64(${a})`;
    case 'extend8_s': return `BigInt.asIntN(8, ${a})`;
    case 'extend16_s': return `BigInt.asIntN(16, ${a})`;
    case 'extend32_s': return `BigInt.asIntN(32, ${a})`;
    default: return null;
  }
}

/**
 * Trapping division/remainder: statements checking (simple) operands, then the result.
 * `trap` renders a trap statement for a message.
 */
export function i64DivRem(name: string, a: string, b: string, trap: (msg: string) => string): { pre: string; expr: string } {
  const zero = `if (${b} === 0n) ${trap('integer divide by zero')}`;
  switch (name) {
    case 'div_s':
      return { pre: `${zero} if (${b} === -1n && ${a} === -0x8000000000000000n) ${trap('integer overflow')}`, expr: `(${a} / ${b})` };
    case 'div_u': return { pre: zero, expr: wrap(`${u(a)} / ${u(b)}`) };
    case 'rem_s': return { pre: zero, expr: `(${a} % ${b})` };
    case 'rem_u': return { pre: zero, expr: wrap(`${u(a)} % ${u(b)}`) };
    default: throw new Error(`i64DivRem: ${name}`);
  }
}

// ---- conversions between i32 and i64
export const i64ExtendI32S = (a: string): string => `BigInt(${a})`;
export const i64ExtendI32U = (a: string): string => `BigInt(${a} >>> 0)`;
export const i32WrapI64 = (a: string): string => `Number(BigInt.asIntN(32, ${a}))`;

// ---- conversions between floats and i64 (helpers live in the runtime's helper object)
export const f64ConvertI64S = (a: string): string => `Number(${a})`;
export const f64ConvertI64U = (a: string): string => `Number(${u(a)})`;
export const f32ConvertI64S = (a: string): string => `i64ToF32(${a})`;
export const f32ConvertI64U = (a: string): string => `i64ToF32(${u(a)})`;
/** Truncation of a (simple) float already checked to be in range. */
export const i64TruncChecked = (x: string): string => `BigInt(Math.trunc(${x}))`;
export const u64TruncChecked = (x: string): string => `BigInt.asIntN(64, BigInt(Math.trunc(${x})))`;
export const i64TruncSat = (x: string, signed: boolean): string => (signed ? `truncSatI64(${x})` : `truncSatU64(${x})`);

// ---- bit casts
export const i64ReinterpretF64 = (a: string): string => `BigInt.asIntN(64, f64ToBits(${a}))`;
export const f64ReinterpretI64 = (a: string): string => `f64FromBits(${a})`;

// ---- memory: `dv` is a DataView, `u8` a Uint8Array, `ea` a (simple) effective address
export function i64Load(kind: string, dv: string, u8: string, ea: string): string {
  switch (kind) {
    case 'load': return `${dv}.getBigInt64(${ea}, true)`;
    case 'load8_s': return `BigInt(${dv}.getInt8(${ea}))`;
    case 'load8_u': return `BigInt(${u8}[${ea}])`;
    case 'load16_s': return `BigInt(${dv}.getInt16(${ea}, true))`;
    case 'load16_u': return `BigInt(${dv}.getUint16(${ea}, true))`;
    case 'load32_s': return `BigInt(${dv}.getInt32(${ea}, true))`;
    case 'load32_u': return `BigInt(${dv}.getUint32(${ea}, true))`;
    default: throw new Error(`i64Load: ${kind}`);
  }
}
export function i64Store(kind: string, dv: string, u8: string, ea: string, v: string): string {
  switch (kind) {
    case 'store': return `${dv}.setBigInt64(${ea}, ${v}, true);`;
    case 'store8': return `${u8}[${ea}] = Number(${v} & 0xffn);`;
    case 'store16': return `${dv}.setUint16(${ea}, Number(${v} & 0xffffn), true);`;
    case 'store32': return `${dv}.setUint32(${ea}, Number(${v} & 0xffffffffn), true);`;
    default: throw new Error(`i64Store: ${kind}`);
  }
}

/** An i64 used as a memory64/table64 address: converted to a number (exact below 2^53,
 *  and anything larger is out of bounds for every memory anyway). */
export const i64ToAddress = (a: string): string => `Number(${u(a)})`;
export const addressToI64 = (a: string): string => `BigInt(${a})`;
