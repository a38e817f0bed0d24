// Outlining of very large functions. V8 never optimizes a function whose bytecode exceeds
// its TurboFan limit (60 KB on Node 20), so a huge Wasm function (an interpreter loop such
// as SQLite's VDBE) would run in the baseline tiers forever. This pass moves runs of
// statements of such a function into nested functions ("regions") declared inside it, so
// each piece, and what remains of the function, fits the limit.
//
// It works on the translator's own output, one statement or block opener/closer per line:
//   - an opener ends with `{` (and does not start with `}`); a line `}` closes it; a line
//     starting with `}` and ending with `{` (`} else {`, `} catch (x0_) {`) continues it;
//     any other line starting with `}` closes it with a trailing statement;
//   - jumps are `break Lk;`, `continue Lk;` and `return ...;` (possibly after an inline
//     `if (...)`), labels `Lk:` are unique within the function, and no string literal in
//     generated code contains these words.
// A region is a nested function, so it reads and writes the function's locals and slots
// through the closure. A jump to a label outside the region returns a code that the call
// site dispatches (`break`/`continue` there); a `return v` stores v in RV and returns -1.
// Runs containing a catch parameter (`xN_`) or `case`/`default` labels at their top level are
// not outlined (the parameter is not visible in the region; case labels belong to a switch).

interface Item {
  /** A simple statement's line; empty for a construct (its lines are its frame and bodies,
   *  collected only when needed: copying them at every nesting level was quadratic). */
  lines: string[];
  size: number;
  /** For a construct: its bodies (between opener/continuations and closer), else null. */
  bodies: Item[][] | null;
  /** For a construct: the opener/continuation/closer lines around the bodies. */
  frame?: string[];
}

/**
 * Sizes in characters of generated source (about half a byte of V8 bytecode each):
 * functions above `threshold` are outlined into regions of about `target` (at least `min`).
 * Code for hosts without a JIT (the 'interpreter' profile) uses `interpreterThreshold`
 * instead: regions exist to fit an optimizing compiler's size limit, and where there is
 * none they only cost (every local a region reads is a context slot, and each call of the
 * function makes the regions' closures); only a function as large as one V8 with a raised
 * limit would still optimize is split, so that no host meets a single body of megabytes.
 * Mutable so that tests can force outlining of small functions.
 */
export const outlineLimits = { threshold: 90_000, target: 45_000, min: 1_500, interpreterThreshold: 1_536_000 };

const SPACE = 32;
const OPEN = 123; // {
const CLOSE = 125; // }

/** The first character of `l` that is not a space (-1 for a blank line). Lines are read by
 *  character, never trimmed: a trimmed copy per line was a large part of this pass. */
function firstCode(l: string): number {
  for (let i = 0; i < l.length; i++) {
    const c = l.charCodeAt(i);
    if (c !== SPACE) return c;
  }
  return -1;
}

/** The last character of `l` that is not a space (-1 for a blank line). */
function lastCode(l: string): number {
  for (let i = l.length - 1; i >= 0; i--) {
    const c = l.charCodeAt(i);
    if (c !== SPACE) return c;
  }
  return -1;
}

function parseItems(lines: string[], pos: { i: number }): Item[] {
  const items: Item[] = [];
  while (pos.i < lines.length) {
    const raw = lines[pos.i];
    if (firstCode(raw) === CLOSE) return items; // the caller's construct continues or closes
    pos.i++;
    if (lastCode(raw) === OPEN) {
      const frame = [raw];
      const bodies: Item[][] = [];
      for (;;) {
        bodies.push(parseItems(lines, pos));
        if (pos.i >= lines.length) throw new Error('outline: unbalanced block');
        const c = lines[pos.i++];
        frame.push(c);
        // A closer that opens again continues the construct (`} else {`, `} catch (x0_) {`).
        if (lastCode(c) !== OPEN) break;
      }
      const item: Item = { lines: [], size: 0, bodies, frame };
      relink(item);
      items.push(item);
    } else {
      items.push({ lines: [raw], size: raw.length + 1, bodies: null });
    }
  }
  return items;
}

/** Recomputes a construct's size from its frame and bodies. */
function relink(item: Item): void {
  if (!item.bodies || !item.frame) return;
  let n = 0;
  for (const l of item.frame) n += l.length + 1;
  for (const b of item.bodies) n += sizeOf(b);
  item.size = n;
}

/** Appends the lines of `items` to `out`. */
function collectLines(items: readonly Item[], out: string[]): string[] {
  for (const it of items) {
    if (it.bodies === null || !it.frame) {
      for (const l of it.lines) out.push(l);
      continue;
    }
    for (let k = 0; k < it.bodies.length; k++) {
      out.push(it.frame[k]);
      collectLines(it.bodies[k], out);
    }
    out.push(it.frame[it.frame.length - 1]);
  }
  return out;
}

/** The first line of an item. */
function firstLine(it: Item): string {
  return it.bodies !== null && it.frame ? it.frame[0] : it.lines[0];
}

const LABEL_DEF = /^\s*(L\d+):/;
const CASE_LABEL = /^\s*(?:case\b|default:)/;
const CATCH_PARAM = /\bx\d+_\b/;
const JUMP = /\b(break|continue) (L\d+);/g;
const RETURN = /\breturn\b([^;]*);/g;

class Outliner {
  readonly regions: string[] = [];
  usesRV = false;

  /** Outlines inside a list of items, bottom-up; returns the new list. */
  list(items: Item[]): Item[] {
    for (const it of items) {
      if (it.bodies) {
        it.bodies = it.bodies.map((b) => (sizeOf(b) > outlineLimits.target ? this.list(b) : b));
        relink(it);
      }
    }
    if (sizeOf(items) <= outlineLimits.target) return items;
    const out: Item[] = [];
    let run: Item[] = [];
    let runSize = 0;
    const flush = (): void => {
      if (run.length > 0 && runSize >= outlineLimits.min && this.outlinable(run)) out.push(this.region(run));
      else for (const it of run) out.push(it);
      run = [];
      runSize = 0;
    };
    for (const it of items) {
      if (runSize + it.size > outlineLimits.target) flush();
      run.push(it);
      runSize += it.size;
    }
    flush();
    return out;
  }

  private outlinable(run: Item[]): boolean {
    for (const it of run) {
      if (it.bodies !== null) continue;
      const t = firstLine(it);
      if (CASE_LABEL.test(t)) return false;
    }
    // Catch parameters are the only names with an underscore before a word boundary.
    for (const l of collectLines(run, [])) if (l.indexOf('_') >= 0 && CATCH_PARAM.test(l)) return false;
    return true;
  }

  /** Moves a run of items into a region function; returns the call-site item. */
  private region(run: Item[]): Item {
    const id = this.regions.length;
    const body = collectLines(run, []);
    const defined = new Set<string>();
    for (const l of body) {
      if (firstCode(l) !== 76 /* L */) continue;
      const m = LABEL_DEF.exec(l);
      if (m) defined.add(m[1]);
    }
    const codes = new Map<string, number>();
    let usesReturn = false;
    // Each regex runs only on lines that contain its word (most lines contain none).
    const rewritten = body.map((l) => {
      if (l.indexOf('return') < 0 && l.indexOf('break ') < 0 && l.indexOf('continue ') < 0) return l;
      let r = l.replace(RETURN, (_all, v: string) => {
        usesReturn = true;
        const val = v.trim();
        return val === '' ? 'return (RV = undefined, -1);' : `return (RV = ${val}, -1);`;
      });
      r = r.replace(JUMP, (all, kind: string, label: string) => {
        if (defined.has(label)) return all;
        const key = `${kind} ${label}`;
        let c = codes.get(key);
        if (c === undefined) {
          c = codes.size + 1;
          codes.set(key, c);
        }
        return `return ${c};`;
      });
      return r;
    });
    this.regions.push(`function R${id}() {\n${rewritten.join('\n')}\nreturn 0;\n}`);
    if (usesReturn) this.usesRV = true;
    const cases: string[] = [];
    if (usesReturn) cases.push('case -1: return RV;');
    for (const [key, c] of codes) cases.push(`case ${c}: ${key};`);
    const line = cases.length === 0 ? `R${id}();` : `switch (R${id}()) { ${cases.join(' ')} }`;
    return { lines: [line], size: line.length + 1, bodies: null };
  }
}

function sizeOf(items: Item[]): number {
  let n = 0;
  for (const x of items) n += x.size;
  return n;
}

/**
 * Outlines a function body (its statement lines, without the function header and head
 * declarations). Returns the new body lines and the region declarations to put at the top
 * of the function, or null when the body is small enough.
 */
export function outlineBody(
  lines: string[],
  threshold = outlineLimits.threshold,
): { body: string[]; decls: string[] } | null {
  let total = 0;
  for (const l of lines) total += l.length + 1;
  if (total <= threshold) return null;
  const pos = { i: 0 };
  let items: Item[];
  try {
    items = parseItems(lines, pos);
  } catch {
    return null; // not in the expected shape: leave the function whole (correct, slower)
  }
  if (pos.i !== lines.length) return null;
  const o = new Outliner();
  let body: string[];
  try {
    body = collectLines(o.list(items), []);
  } catch (e) {
    // Both passes recurse once per nesting level: a function nested too deeply for them is
    // left whole (its own nesting then decides whether the JS parser accepts it).
    if (e instanceof RangeError) return null;
    throw e;
  }
  if (o.regions.length === 0) return null;
  const decls = [...o.regions];
  if (o.usesRV) decls.unshift('let RV;');
  return { body, decls };
}
