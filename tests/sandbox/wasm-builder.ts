// Byte-level helpers for the sandbox tests: hostile names need encodings (raw UTF-8, name
// and custom sections) that are easier to write directly than through the text format.

export function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

export function nameBytes(s: string | Uint8Array): number[] {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return [...leb(b.length), ...b];
}

export function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

export function customSection(name: string | Uint8Array, payload: number[]): number[] {
  return section(0, [...nameBytes(name), ...payload]);
}

/** A "name" section naming functions `funcs[i]` and local 0 of each function `locals[i]`. */
export function nameSection(funcs: readonly string[], locals: readonly string[]): number[] {
  const fn = [...leb(funcs.length), ...funcs.flatMap((n, i) => [...leb(i), ...nameBytes(n)])];
  const loc = [...leb(locals.length), ...locals.flatMap((n, i) => [...leb(i), 1, 0, ...nameBytes(n)])];
  return customSection('name', [1, ...leb(fn.length), ...fn, 2, ...leb(loc.length), ...loc]);
}

/** Appends raw sections (custom sections may follow everything else). */
export function append(module: Uint8Array, ...sections: number[][]): Uint8Array {
  return Uint8Array.from([...module, ...sections.flat()]);
}

/** A WAT string literal for any string of Unicode scalar values. */
export function watString(s: string): string {
  let out = '"';
  for (const ch of s) out += `\\u{${ch.codePointAt(0)!.toString(16)}}`;
  return `${out}"`;
}
