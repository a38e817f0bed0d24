// A stand-in for runtime/index.ts, backed by Node's own WebAssembly engine, so the spec
// runner's command semantics can be tested on their own. It implements only what the
// runner uses, for numeric values and funcref/externref; it is not part of jetwasm.

import { CompileError } from '../../compiler/errors';
import { decodeModule } from '../../compiler/binary';
import type { FuncType, GlobalType, MemoryType, ModuleIR, TableType } from '../../compiler/ir';
export { f32FromBits, f32ToBits, f64FromBits, f64ToBits } from '../../runtime/vm/values';
export { CompileError };

export class LinkError extends Error {}
export class RuntimeError extends Error {}
export class WasmException extends Error {}

function translateError(e: unknown): unknown {
  if (e instanceof WebAssembly.RuntimeError) return new RuntimeError(e.message);
  if (e instanceof RangeError && /call stack/i.test(e.message)) return new RuntimeError('call stack exhausted');
  if (e instanceof WebAssembly.LinkError) return new LinkError(e.message);
  const Exc = (WebAssembly as unknown as { Exception?: new (...a: unknown[]) => object }).Exception;
  if (Exc && e instanceof Exc) return new WasmException('wasm exception');
  return e;
}

export class Engine {}
export class Store {
  constructor(readonly engine: Engine) {}
}

export class Module {
  private constructor(
    readonly ir: ModuleIR,
    readonly native: WebAssembly.Module,
  ) {}
  static fromBinary(_engine: Engine, bytes: Uint8Array): Module {
    const ir = decodeModule(bytes); // throws CompileError('malformed')
    try {
      return new Module(ir, new WebAssembly.Module(bytes as BufferSource));
    } catch (e) {
      throw new CompileError('invalid', (e as Error).message);
    }
  }
  imports(): WebAssembly.ModuleImportDescriptor[] {
    return WebAssembly.Module.imports(this.native);
  }
  exports(): WebAssembly.ModuleExportDescriptor[] {
    return WebAssembly.Module.exports(this.native);
  }
}

type NativeFn = (...args: unknown[]) => unknown;
export class Func {
  constructor(
    readonly fn: NativeFn,
    readonly type: FuncType,
  ) {}
  static fromHost(_store: Store, type: FuncType, fn: NativeFn): Func {
    return new Func(fn, type);
  }
  call(...args: unknown[]): unknown[] {
    try {
      const r = this.fn(...args);
      const n = this.type.results.length;
      return n === 0 ? [] : n === 1 ? [r] : Array.from(r as unknown[]);
    } catch (e) {
      throw translateError(e);
    }
  }
}
const nativeType = (g: GlobalType): WebAssembly.ValueType =>
  typeof g.type === 'string' ? (g.type as WebAssembly.ValueType) : g.type.heap === 'func' ? 'anyfunc' : 'externref';
export class Global {
  constructor(readonly native: WebAssembly.Global) {}
  static create(_store: Store, type: GlobalType, value: unknown): Global {
    return new Global(new WebAssembly.Global({ value: nativeType(type), mutable: type.mutable }, value as number));
  }
  get(): unknown {
    return this.native.value;
  }
}
export class Memory {
  constructor(readonly native: WebAssembly.Memory) {}
  static create(_store: Store, type: MemoryType): Memory {
    if (type.shared || type.addr !== 'i32') throw new Error('unsupported memory type');
    return new Memory(new WebAssembly.Memory({ initial: type.limits.min, maximum: type.limits.max }));
  }
}
export class Table {
  constructor(readonly native: WebAssembly.Table) {}
  static create(_store: Store, type: TableType): Table {
    if (type.addr !== 'i32') throw new Error('unsupported table type');
    return new Table(new WebAssembly.Table({ element: 'anyfunc', initial: type.limits.min, maximum: type.limits.max }));
  }
}
export class Tag {}
export type Extern = Func | Global | Memory | Table | Tag;

const nativeOf = (x: Extern): unknown =>
  x instanceof Func ? x.fn : x instanceof Global || x instanceof Memory || x instanceof Table ? x.native : x;

export class Instance {
  readonly exports = new Map<string, Extern>();
  static instantiate(_store: Store, module: Module, imports: Extern[]): Instance {
    const obj: Record<string, Record<string, unknown>> = {};
    module.imports().forEach((imp, i) => {
      (obj[imp.module] ??= {})[imp.name] = nativeOf(imports[i]);
    });
    let native: WebAssembly.Instance;
    try {
      native = new WebAssembly.Instance(module.native, obj as WebAssembly.Imports);
    } catch (e) {
      throw translateError(e);
    }
    const ir = module.ir;
    const funcTypes: FuncType[] = [];
    for (const imp of ir.imports)
      if (imp.desc.kind === 'func') funcTypes.push(ir.types[imp.desc.typeIdx].comp as FuncType);
    for (const t of ir.funcs) funcTypes.push(ir.types[t].comp as FuncType);
    const inst = new Instance();
    for (const ex of ir.exports) {
      const v = native.exports[ex.name];
      if (ex.kind === 'func') inst.exports.set(ex.name, new Func(v as NativeFn, funcTypes[ex.index]));
      else if (ex.kind === 'global') inst.exports.set(ex.name, new Global(v as WebAssembly.Global));
      else if (ex.kind === 'memory') inst.exports.set(ex.name, new Memory(v as WebAssembly.Memory));
      else if (ex.kind === 'table') inst.exports.set(ex.name, new Table(v as WebAssembly.Table));
    }
    return inst;
  }
  getExport(name: string): Extern | undefined {
    return this.exports.get(name);
  }
}

const hosts = new Map<number, object>();
export function hostRef(n: number): object {
  let h = hosts.get(n);
  if (!h) hosts.set(n, (h = { host: n }));
  return h;
}
export function refKind(v: unknown): string {
  return v === null ? 'null' : typeof v === 'function' ? 'func' : 'host';
}
