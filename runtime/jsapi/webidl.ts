// The property layout WebIDL gives interfaces and namespaces, applied to the facade's classes
// and namespace object. JS classes differ from WebIDL interfaces in ways scripts can see:
// class methods and accessors are non-enumerable, a constructor's `length` counts every
// declared parameter (optional ones included), a class's `name` is whatever a bundler or
// minifier left of its identifier, and `get [Symbol.toStringTag]()` is an accessor where
// WebIDL puts a data property. Every facade interface goes through `defineInterface` once,
// at module load, so the layout is the same from source, from dist/ and from the bundle.

type Ctor = abstract new (...args: never[]) => unknown;

const NAME_OR_LENGTH = { writable: false, enumerable: false, configurable: true } as const;

/** Sets a function's `name` and `length` as WebIDL does (non-writable, configurable). */
export function setNameAndLength(fn: Function, name: string, length: number): void {
  Object.defineProperty(fn, 'name', { value: name, ...NAME_OR_LENGTH });
  Object.defineProperty(fn, 'length', { value: length, ...NAME_OR_LENGTH });
}

export interface InterfaceMembers {
  /** Regular operations on the prototype, with their WebIDL `length` (required arguments). */
  readonly operations?: Readonly<Record<string, number>>;
  /** Attributes (accessors) on the prototype. */
  readonly attributes?: readonly string[];
  /** Static operations on the interface object, with their `length`. */
  readonly statics?: Readonly<Record<string, number>>;
  /** The prototype's @@toStringTag value; none for error interfaces. */
  readonly toStringTag?: string;
}

/**
 * Lays out `ctor` as the WebIDL interface `name` whose constructor takes `length` required
 * arguments: `name`/`length` of the interface object, operations and attributes enumerable
 * with their WebIDL lengths and names, @@toStringTag a non-writable, non-enumerable,
 * configurable data property of the prototype.
 */
export function defineInterface(ctor: Ctor, name: string, length: number, members: InterfaceMembers = {}): void {
  setNameAndLength(ctor, name, length);
  const proto = ctor.prototype as object;
  for (const [op, len] of Object.entries(members.operations ?? {})) {
    const d = Object.getOwnPropertyDescriptor(proto, op);
    if (!d || typeof d.value !== 'function') throw new Error(`${name}.prototype.${op} is not an operation`);
    setNameAndLength(d.value as Function, op, len);
    Object.defineProperty(proto, op, { value: d.value, writable: true, enumerable: true, configurable: true });
  }
  for (const attr of members.attributes ?? []) {
    const d = Object.getOwnPropertyDescriptor(proto, attr);
    if (!d || typeof d.get !== 'function') throw new Error(`${name}.prototype.${attr} is not an attribute`);
    setNameAndLength(d.get, `get ${attr}`, 0);
    if (d.set) setNameAndLength(d.set, `set ${attr}`, 1);
    Object.defineProperty(proto, attr, { get: d.get, set: d.set, enumerable: true, configurable: true });
  }
  for (const [op, len] of Object.entries(members.statics ?? {})) {
    const fn = (ctor as unknown as Record<string, unknown>)[op];
    if (typeof fn !== 'function') throw new Error(`${name}.${op} is not a static operation`);
    setNameAndLength(fn, op, len);
    Object.defineProperty(ctor, op, { value: fn, writable: true, enumerable: true, configurable: true });
  }
  if (members.toStringTag !== undefined) {
    Object.defineProperty(proto, Symbol.toStringTag, {
      value: members.toStringTag,
      writable: false,
      enumerable: false,
      configurable: true,
    });
  }
}

/**
 * Lays out a native-error-like interface (CompileError, LinkError, RuntimeError): as
 * ECMAScript's NativeError constructors, `length` 1 and a prototype with `name` and an
 * empty `message`, both writable, non-enumerable and configurable.
 */
export function defineErrorInterface(ctor: Ctor, name: string): void {
  setNameAndLength(ctor, name, 1);
  const proto = ctor.prototype as object;
  Object.defineProperty(proto, 'name', { value: name, writable: true, enumerable: false, configurable: true });
  Object.defineProperty(proto, 'message', { value: '', writable: true, enumerable: false, configurable: true });
}

/**
 * A namespace object as WebIDL makes one: interfaces writable, non-enumerable and
 * configurable; operations writable, enumerable and configurable; @@toStringTag
 * non-writable, non-enumerable and configurable. Not frozen: scripts may replace members,
 * as they can on the host's own namespace.
 */
export function namespaceObject(
  name: string,
  interfaces: Readonly<Record<string, unknown>>,
  operations: Readonly<Record<string, readonly [Function, number]>>,
): object {
  const ns = {};
  for (const [k, [fn, len]] of Object.entries(operations)) {
    setNameAndLength(fn, k, len);
    Object.defineProperty(ns, k, { value: fn, writable: true, enumerable: true, configurable: true });
  }
  for (const [k, v] of Object.entries(interfaces)) {
    Object.defineProperty(ns, k, { value: v, writable: true, enumerable: false, configurable: true });
  }
  Object.defineProperty(ns, Symbol.toStringTag, {
    value: name,
    writable: false,
    enumerable: false,
    configurable: true,
  });
  return ns;
}
