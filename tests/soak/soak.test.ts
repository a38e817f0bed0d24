// The soak phases (soak/, `npm run soak`) at test size, each in a child process of its own
// with gc exposed, so the heap samples see only the soak's own objects.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureBuilt, ROOT } from '../cli-helpers';

interface HeapJudgement {
  ok: boolean;
  baseline: number;
  worst: number;
  bound: number;
}
interface PhaseResult {
  ok: boolean;
  error?: string;
  [key: string]: unknown;
}

function soak(args: string[]): { code: number | null; phases: Record<string, PhaseResult>; output: string } {
  ensureBuilt();
  const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-soak-')), 'out.json');
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', path.join(ROOT, 'soak/index.js'), '--quiet', '--json', json, ...args],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const phases = fs.existsSync(json)
    ? (JSON.parse(fs.readFileSync(json, 'utf8')) as { phases: Record<string, PhaseResult> }).phases
    : {};
  return { code: r.status, phases, output: r.stdout + r.stderr };
}

describe('soak at test size', () => {
  test('instantiate/call/dispose cycles keep the heap flat; a leak of 512 bytes a cycle fails', () => {
    // 10,000 cycles: the sample at 1% comes after 100, before V8 has settled, so the bound
    // is looser than the long run's 10%.
    const ok = soak(['--phases', 'cycles', '--cycles', '10000', '--samples', '20', '--bound', '0.2']);
    expect(ok.phases.cycles?.error).toBeUndefined();
    expect(ok.phases.cycles.ok).toBe(true);
    expect(ok.code).toBe(0);
    const heap = ok.phases.cycles.heap as HeapJudgement;
    expect(Math.abs(heap.worst)).toBeLessThanOrEqual(0.2);
    // 10,000 × 512 bytes retained is about 5 MiB on a heap of about 6 MiB.
    const leaking = soak([
      '--phases',
      'cycles',
      '--cycles',
      '10000',
      '--samples',
      '20',
      '--bound',
      '0.2',
      '--leak-bytes',
      '512',
    ]);
    expect(leaking.code).toBe(1);
    expect(leaking.phases.cycles.ok).toBe(false);
    expect((leaking.phases.cycles.heap as HeapJudgement).worst).toBeGreaterThan(0.2);
  }, 120_000);

  test('one store trapping in every way stays usable and holds only its live instances', () => {
    const r = soak(['--phases', 'traps', '--trap-rounds', '3000', '--bound', '0.2']);
    expect(r.phases.traps?.error).toBeUndefined();
    expect(r.phases.traps.missing).toEqual([]);
    expect(r.phases.traps.kinds).toBeGreaterThanOrEqual(29);
    expect(r.phases.traps.ok).toBe(true);
  }, 120_000);

  test('WASI I/O through pipes: byte count, SHA-256 and the guest checksum match; memory flat', () => {
    const bytes = 16 * 1024 * 1024;
    const r = soak(['--phases', 'wasi', '--wasi-bytes', String(bytes), '--seed', '7']);
    expect(r.phases.wasi?.error).toBeUndefined();
    expect(r.phases.wasi.problems).toEqual([]);
    expect(r.phases.wasi.ok).toBe(true);
    expect((r.phases.wasi.guest as { bytes: number }).bytes).toBe(bytes);
  }, 120_000);

  test('fuel and interrupts at random points: exact accounting, consistent runtime state', () => {
    const r = soak(['--phases', 'interrupts', '--interrupt-rounds', '1500', '--seed', '3']);
    expect(r.phases.interrupts?.error).toBeUndefined();
    expect(r.phases.interrupts.ok).toBe(true);
    const counts = r.phases.interrupts.counts as Record<string, number>;
    // Every kind of interruption happened, including ones that split an iteration.
    for (const k of ['fuel', 'epoch', 'epochAtGrow', 'splitIterations']) expect(counts[k]).toBeGreaterThan(0);
  }, 120_000);
});
