// Module.serialize / Module.deserialize: a compiled module as bytes.
//
//   0   magic "JETWASM\0"
//   8   format version (u32 LE)
//   12  checksum algorithm (u8: 1 SHA-256, 2 hash64), 3 zero bytes
//   16  checksum (32 bytes; hash64 uses the first 8) over bytes 0..16 and 48..end
//   48  sections, each a u32 LE length and its bytes:
//         header  JSON { jetwasm, build, v8, settings }: what must equal the loading process's
//         meta    JSON { canon, funcs: [[index, start, end, bindings]...], factory: [start, end] }
//         wasm    the module's bytes
//         script  the generated JS (one script: the factory and each translated function)
//         cache   V8's code cache for the script (may be empty)
//
// Deserialization trusts only its own validated output: it checks the magic, the format
// version and the checksum before reading anything else, then that the jetwasm version, V8
// version and code settings equal this process's, and throws SerializationError otherwise.
// It then decodes the module for its structure but does not validate it. Canonical type ids
// are baked into generated code and depend on the types the process registered before; when
// the module's ids here differ from the recorded ones, the carried code is not used and the
// module is translated afresh (validated too, since that translation needs validation's
// facts), which is slower but never wrong.

import type { ModuleIR } from '../../compiler/ir';
import { lazyTranslator, type LazyFunction, type ModuleFactory, type TranslatedModule } from '../../compiler/translate';
import { typeRegistry } from '../../compiler/validate';
import { VMOffsets } from '../../vmctx';
import { Artifact } from './artifact';
import { bytesEqual, hash64 } from './hash';
import { cacheHost } from './host';
import { checkOptionsFrom, settingsKey, type CodeSettings } from './settings';
import { JETWASM_VERSION } from './version';
import { raiseForCodeCache } from '../optlimit';

/** A serialized module that cannot be loaded here: damaged, or made by another jetwasm, V8 or engine configuration. */
export class SerializationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SerializationError';
  }
}

const MAGIC = [0x4a, 0x45, 0x54, 0x57, 0x41, 0x53, 0x4d, 0x00]; // "JETWASM\0"
export const FORMAT_VERSION = 1;
const HEADER_SIZE = 48;
const ALG_SHA256 = 1;
const ALG_HASH64 = 2;

interface Header {
  readonly jetwasm: string;
  /** The build fingerprint (host.ts buildFingerprint), '' where the host has none. */
  readonly build: string;
  readonly v8: string;
  readonly settings: CodeSettings;
}

interface Meta {
  readonly canon: readonly number[];
  /** [defined-function index, body start, body end (in the script), bindings]. */
  readonly funcs: readonly (readonly [number, number, number, readonly string[]])[];
  readonly factory: readonly [number, number];
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The header fields of this process for `settings`. */
export function currentHeader(settings: CodeSettings): Header {
  const host = cacheHost();
  return { jetwasm: JETWASM_VERSION, build: host?.buildFingerprint() ?? '', v8: host?.v8Version ?? '', settings };
}

/**
 * The script's file name, which backtrace.ts recognises: `jetwasm-module:HASH-LINE`, LINE the
 * factory's last line. Frames on later lines are lazily translated functions, which
 * backtrace.ts must tell apart from the factory's stubs, as it tells eval sites apart.
 */
function scriptFilename(bytes: Uint8Array, script: string, factoryEnd: number): string {
  let lines = 1;
  for (let i = script.indexOf('\n'); i >= 0 && i < factoryEnd; i = script.indexOf('\n', i + 1)) lines++;
  return `jetwasm-module:${hash64(bytes.subarray(0, 4096))}-${lines}`;
}

const SCRIPT_PREFIX = '"use strict";\n';

/** The script of a translated module and where its parts are. Its value is
 *  [factory, [maker of each function in `funcs` order]]. */
function buildScript(code: TranslatedModule): { script: string; meta: Omit<Meta, 'canon'> } {
  const parts: string[] = [];
  // Offsets are counted from what is actually appended, so that no piece of punctuation can
  // shift them: a body sliced one character off loses its last character, and every later
  // re-serialisation of a loaded entry would lose another.
  let len = 0;
  const add = (text: string): number => {
    const at = len;
    parts.push(text);
    len += text.length;
    return at;
  };
  add(SCRIPT_PREFIX);
  add('[function (vm, H, LZ, LIMS) {\n');
  const factoryStart = add(code.source);
  const factory: [number, number] = [factoryStart, len];
  add('\n},\n[');
  const funcs: [number, number, number, readonly string[]][] = [];
  const fns = [...(code.lazyTranslated ?? new Map<number, LazyFunction>())].sort((a, b) => a[0] - b[0]);
  for (const [i, lz] of fns) {
    add(`${funcs.length > 0 ? ',\n' : ''}function (${lz.bindings.join(', ')}) {\n"use strict";\n`);
    const start = add(lz.body);
    funcs.push([i, start, len, lz.bindings]);
    add('\n}');
  }
  add(']]');
  return { script: parts.join(''), meta: { funcs, factory } };
}

function checksum(alg: number, parts: readonly Uint8Array[]): Uint8Array {
  if (alg === ALG_SHA256) {
    const host = cacheHost();
    if (!host)
      throw new SerializationError('the module was serialized with a SHA-256 checksum, which this host cannot compute');
    return host.sha256(parts);
  }
  let n = 0;
  for (const p of parts) n += p.length;
  const all = new Uint8Array(n);
  n = 0;
  for (const p of parts) {
    all.set(p, n);
    n += p.length;
  }
  const hex = hash64(all);
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Serializes a translated artifact, with V8's code cache where the host has one. */
export function serializeArtifact(a: Artifact, header: Header = currentHeader(a.settings)): Uint8Array {
  const code = a.code();
  const host = cacheHost();
  const { script, meta } = buildScript(code);
  const filename = scriptFilename(a.bytes, script, meta.factory[1]);
  if (host) raiseForCodeCache(a.settings);
  const cache = host?.produceCodeCache(script, filename) ?? new Uint8Array(0);
  const sections = [
    utf8.encode(JSON.stringify(header)),
    utf8.encode(JSON.stringify({ canon: a.canon, ...meta } satisfies Meta)),
    a.bytes,
    utf8.encode(script),
    cache,
  ];
  let size = HEADER_SIZE;
  for (const s of sections) size += 4 + s.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(8, FORMAT_VERSION, true);
  const alg = host ? ALG_SHA256 : ALG_HASH64;
  out[12] = alg;
  let p = HEADER_SIZE;
  for (const s of sections) {
    dv.setUint32(p, s.length, true);
    out.set(s, p + 4);
    p += 4 + s.length;
  }
  out.set(checksum(alg, [out.subarray(0, 16), out.subarray(HEADER_SIZE)]), 16);
  return out;
}

function describeSettings(s: CodeSettings): string {
  return `compilation ${s.compilation}, codegen ${s.codegen}, outline threshold ${s.outlineThreshold}, fuel ${s.fuel ? 'on' : 'off'}, epoch interruption ${s.interrupt ? 'on' : 'off'}, features ${JSON.stringify(s.features)}`;
}

export interface DeserializeOptions {
  /** The Wasm bytes the entry must hold (a cache lookup by hash); a mismatch is an error. */
  readonly expectWasm?: Uint8Array;
}

/**
 * Loads a serialized module for `settings`. `decode` decodes Wasm bytes without validating;
 * `compile` compiles bytes from scratch (the fallback when canonical type ids differ).
 */
export function deserializeArtifact(
  data: Uint8Array,
  settings: CodeSettings,
  decode: (bytes: Uint8Array) => ModuleIR,
  compile: (bytes: Uint8Array) => Artifact,
  opts: DeserializeOptions = {},
): Artifact {
  if (!(data instanceof Uint8Array)) throw new TypeError('Module.deserialize: bytes must be a Uint8Array');
  if (data.length < HEADER_SIZE || MAGIC.some((b, i) => data[i] !== b)) {
    throw new SerializationError('not a serialized jetwasm module (bad magic or too short)');
  }
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== FORMAT_VERSION)
    throw new SerializationError(
      `serialized module has format version ${version}; this jetwasm reads version ${FORMAT_VERSION}`,
    );
  const alg = data[12];
  if ((alg !== ALG_SHA256 && alg !== ALG_HASH64) || data[13] !== 0 || data[14] !== 0 || data[15] !== 0) {
    throw new SerializationError('serialized module is damaged (unknown checksum algorithm)');
  }
  const sum = checksum(alg, [data.subarray(0, 16), data.subarray(HEADER_SIZE)]);
  const stored = data.subarray(16, 16 + sum.length);
  if (!bytesEqual(sum, stored) || data.subarray(16 + sum.length, HEADER_SIZE).some((b) => b !== 0)) {
    throw new SerializationError('serialized module is damaged (checksum mismatch)');
  }
  const sections: Uint8Array[] = [];
  let p = HEADER_SIZE;
  while (p < data.length) {
    if (p + 4 > data.length) throw new SerializationError('serialized module is truncated');
    const n = dv.getUint32(p, true);
    if (p + 4 + n > data.length) throw new SerializationError('serialized module is truncated');
    sections.push(data.subarray(p + 4, p + 4 + n));
    p += 4 + n;
  }
  if (sections.length !== 5) throw new SerializationError('serialized module is damaged (wrong number of sections)');
  let header: Header;
  let meta: Meta;
  let script: string;
  try {
    header = JSON.parse(fromUtf8.decode(sections[0])) as Header;
    meta = JSON.parse(fromUtf8.decode(sections[1])) as Meta;
    script = fromUtf8.decode(sections[3]);
  } catch {
    throw new SerializationError('serialized module is damaged (unreadable header)');
  }
  const here = currentHeader(settings);
  if (header.jetwasm !== here.jetwasm)
    throw new SerializationError(`serialized by jetwasm ${header.jetwasm}; this is jetwasm ${here.jetwasm}`);
  if (header.build !== here.build)
    throw new SerializationError(
      `serialized by another build of jetwasm ${header.jetwasm} (${String(header.build).slice(0, 12) || 'unknown'}; this is ${here.build.slice(0, 12) || 'unknown'})`,
    );
  if (header.v8 !== here.v8)
    throw new SerializationError(
      `serialized under V8 ${header.v8 || '(none)'}; this host has V8 ${here.v8 || '(none)'}`,
    );
  if (settingsKey(header.settings) !== settingsKey(settings)) {
    throw new SerializationError(
      `serialized for other engine settings (${describeSettings(header.settings)}); this engine has ${describeSettings(settings)}`,
    );
  }
  // A copy (a Node Buffer's `slice` would share the caller's memory).
  const wasm = new Uint8Array(sections[2]);
  if (opts.expectWasm && !bytesEqual(wasm, opts.expectWasm))
    throw new SerializationError('cache entry holds a different module');

  const ir = decode(wasm);
  const canon = typeRegistry.canonicalize(ir);
  if (canon.length !== meta.canon.length || canon.some((c, i) => c !== meta.canon[i])) return compile(wasm);
  const offsets = new VMOffsets(ir);
  const a = new Artifact(wasm, ir, canon, offsets, null, settings, settingsKey(settings));

  const host = cacheHost();
  const filename = scriptFilename(wasm, script, meta.factory[1]);
  let value: unknown;
  let codeCacheOk = false;
  if (host) {
    raiseForCodeCache(settings);
    const r = host.runScript(script, filename, sections[4]);
    value = r.value;
    codeCacheOk = !r.rejected;
  } else {
    value = new Function(`${SCRIPT_PREFIX}return ${script.slice(SCRIPT_PREFIX.length)};`)();
  }
  const [factory, makers] = value as [ModuleFactory, ((...v: unknown[]) => unknown)[]];
  const source = script.slice(meta.factory[0], meta.factory[1]);
  if (settings.compilation === 'lazy') {
    const seed = new Map<number, LazyFunction>();
    meta.funcs.forEach(([i, start, end, bindings], k) => {
      seed.set(i, {
        body: script.slice(start, end),
        bindings,
        make: makers[k],
        name: ir.names?.funcs.get(ir.numImportedFuncs + i),
      });
    });
    const { lazySource, translated } = lazyTranslator(
      ir,
      offsets,
      canon,
      {
        lazy: true,
        checks: checkOptionsFrom(settings),
        outlineThreshold: settings.outlineThreshold,
        profile: settings.codegen,
        i64: settings.i64 ?? 'pairs',
        memoryAccess: settings.memoryAccess ?? 'dataview',
      },
      seed,
    );
    a.translated = { source, factory, lazySource, lazyTranslated: translated };
  } else {
    a.translated = { source, factory };
  }
  a.persist = { functions: meta.funcs.length, codeCacheOk: codeCacheOk || !host };
  return a;
}
