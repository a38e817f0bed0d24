// Minimal binary-format surgery used by the fuzzers: split a module into sections, append
// exports, and LEB128 helpers. Deliberately independent of compiler/binary, so a decoder
// bug cannot hide itself from the fuzzers.

export interface Section {
  readonly id: number;
  readonly body: Uint8Array;
}

export function readU32(b: Uint8Array, pos: number): { value: number; next: number } {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= b.length) throw new Error('truncated LEB128');
    const byte = b[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return { value: result, next: pos };
    if (shift > 35) throw new Error('LEB128 too long');
  }
}

export function writeU32(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** `v` as an LEB128 padded to `width` bytes (valid, but overlong when width exceeds need). */
export function writeU32Padded(v: number, width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < width; i++) {
    const byte = v & 0x7f;
    v = Math.floor(v / 128);
    out.push(i === width - 1 ? byte : byte | 0x80);
  }
  return out;
}

export function splitSections(b: Uint8Array): Section[] {
  const out: Section[] = [];
  let pos = 8;
  while (pos < b.length) {
    const id = b[pos++];
    const { value: size, next } = readU32(b, pos);
    out.push({ id, body: b.subarray(next, next + size) });
    pos = next + size;
  }
  return out;
}

export function joinSections(sections: readonly Section[]): Uint8Array {
  const parts: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const s of sections) {
    parts.push(s.id, ...writeU32(s.body.length));
    for (const x of s.body) parts.push(x);
  }
  return Uint8Array.from(parts);
}

/** Order of known section ids in a module (custom sections excluded). */
const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

function vecCount(body: Uint8Array | undefined): number {
  return body && body.length > 0 ? readU32(body, 0).value : 0;
}

function encodeName(s: string): number[] {
  const bytes = Buffer.from(s, 'utf8');
  return [...writeU32(bytes.length), ...bytes];
}

/** Counts memories (imported and defined); exports are 0-based in the memory index space. */
export function memoryCount(b: Uint8Array): number {
  const secs = splitSections(b);
  let n = vecCount(secs.find((s) => s.id === 5)?.body);
  const imports = secs.find((s) => s.id === 2)?.body;
  if (imports) {
    // Walk the import section just far enough to count memory imports.
    let pos = 0;
    const count = readU32(imports, pos);
    pos = count.next;
    for (let i = 0; i < count.value; i++) {
      for (let k = 0; k < 2; k++) {
        const l = readU32(imports, pos);
        pos = l.next + l.value;
      }
      const kind = imports[pos++];
      if (kind === 0x00) pos = readU32(imports, pos).next;
      else if (kind === 0x01) {
        pos++;
        pos = skipLimits(imports, pos);
      } else if (kind === 0x02) {
        n++;
        pos = skipLimits(imports, pos);
      } else if (kind === 0x03) {
        pos = skipValType(imports, pos);
        pos++;
      } else if (kind === 0x04) {
        pos++;
        pos = readU32(imports, pos).next;
      } else throw new Error('unknown import kind');
    }
  }
  return n;
}

function skipLimits(b: Uint8Array, pos: number): number {
  const flags = b[pos++];
  pos = readU32(b, pos).next;
  if (flags & 1) pos = readU32(b, pos).next;
  return pos;
}

function skipValType(b: Uint8Array, pos: number): number {
  const t = b[pos++];
  if (t === 0x63 || t === 0x64) {
    // (ref null? ht): heap type is an s33.
    while (b[pos] & 0x80) pos++;
    pos++;
  }
  return pos;
}

export interface ExtraExport {
  readonly name: string;
  /** 0 func, 1 table, 2 memory, 3 global, 4 tag */
  readonly kind: number;
  readonly index: number;
}

/** Replaces the export section by `keep(existing)` plus `extra` entries. */
export function rewriteExports(
  b: Uint8Array,
  keep: (name: string, kind: number) => boolean,
  extra: readonly ExtraExport[],
): Uint8Array {
  const secs = splitSections(b).slice();
  const at = secs.findIndex((s) => s.id === 7);
  const entries: number[][] = [];
  if (at >= 0) {
    const body = secs[at].body;
    let pos = 0;
    const count = readU32(body, pos);
    pos = count.next;
    for (let i = 0; i < count.value; i++) {
      const start = pos;
      const len = readU32(body, pos);
      const name = Buffer.from(body.subarray(len.next, len.next + len.value)).toString('utf8');
      pos = len.next + len.value;
      const kind = body[pos++];
      pos = readU32(body, pos).next;
      if (keep(name, kind)) entries.push([...body.subarray(start, pos)]);
    }
  }
  for (const e of extra) entries.push([...encodeName(e.name), e.kind, ...writeU32(e.index)]);
  const newBody = Uint8Array.from([...writeU32(entries.length), ...entries.flat()]);
  const section: Section = { id: 7, body: newBody };
  if (at >= 0) secs[at] = section;
  else {
    const rank = SECTION_ORDER.indexOf(7);
    let insert = secs.length;
    for (let i = 0; i < secs.length; i++) {
      const r = SECTION_ORDER.indexOf(secs[i].id);
      if (r > rank) {
        insert = i;
        break;
      }
    }
    secs.splice(insert, 0, section);
  }
  return joinSections(secs);
}
