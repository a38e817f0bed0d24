// Fuel and interrupt check points. Emitted only when the engine asks (TranslateOptions
// `fuel` / `interrupt`); without them the generated code contains no check at all.
//
// Check points are the entry of every function body and the head of every loop body (so
// every loop back-edge passes one). Each check point charges the number of Wasm
// instructions of the region it heads: a function's instructions outside its loops, or a
// loop's instructions outside its nested loops. The cost of a region is known only at its
// end, so the check line is emitted as a placeholder and filled in when the region closes.
//
// Bindings the checks use (declared by ModuleEnvironment.prelude from the factory's 4th
// argument LIMS, implemented by runtime/limits.ts):
//   FUEL  Float64Array(1), the store's remaining fuel; LIMS.outOfFuel() traps.
//   ICNT  Int32Array(1), countdown to the next interrupt poll; LIMS.poll() polls (epoch
//         deadline, time deadline) and traps with "interrupt" when a deadline has passed.
// Check lines contain no braces, jump keywords or string literals (outline.ts relies on it).

import { use } from './bindings';
export interface CheckOptions {
  /** Charge fuel at check points. */
  readonly fuel?: boolean;
  /** Poll for interrupts (epoch / time deadline) at check points. */
  readonly interrupt?: boolean;
}

const PLACEHOLDER = '/*check*/';

interface Region {
  /** Index in the output of the placeholder line (it may move only if lines before it are
   *  removed, which the translator never does; checked on close). */
  line: number;
  cost: number;
}

/** Tracks open regions of one function while it is translated. */
export class CheckPoints {
  private regions: Region[] = [];

  constructor(readonly opts: CheckOptions) {}

  get enabled(): boolean {
    return this.opts.fuel === true || this.opts.interrupt === true;
  }

  /** Prelude lines binding what check lines use. */
  prelude(): string[] {
    const lines: string[] = [];
    if (this.opts.fuel) lines.push('var FUEL = LIMS.fuel;');
    if (this.opts.interrupt) lines.push('var ICNT = LIMS.countdown;');
    return lines;
  }

  /** Starts a region (function body or loop body): emits its placeholder into `out`. */
  open(out: string[], indent: string): void {
    this.regions.push({ line: out.length, cost: 0 });
    out.push(indent + PLACEHOLDER);
  }

  /** Counts one instruction of the innermost open region. */
  count(): void {
    const r = this.regions[this.regions.length - 1];
    if (r !== undefined) r.cost++;
  }

  /** Ends the innermost region, replacing its placeholder by the check. */
  close(out: string[]): void {
    const r = this.regions.pop();
    if (r === undefined) return;
    let i = r.line;
    if (!out[i]?.endsWith(PLACEHOLDER)) {
      i = out.length - 1;
      while (i >= 0 && !out[i].endsWith(PLACEHOLDER)) i--;
    }
    if (i < 0) throw new Error('check point placeholder lost');
    out[i] = out[i].slice(0, -PLACEHOLDER.length) + this.check(Math.max(1, r.cost));
  }

  /** Abandons all regions (a new function starts). */
  reset(): void {
    this.regions = [];
  }

  private check(cost: number): string {
    const parts: string[] = [];
    if (this.opts.fuel) parts.push(`if ((${use('FUEL')}[0] -= ${cost}) < 0) ${use('LIMS')}.outOfFuel();`);
    if (this.opts.interrupt) parts.push(`if (--${use('ICNT')}[0] < 0) ${use('LIMS')}.poll();`);
    return parts.join(' ');
  }
}
