import { hostHasJit, nodeHasJit, probeHasJit } from './jit-probe';

describe('whether the host has a JIT', () => {
  test("under Node, V8's --jitless on the command line or in NODE_OPTIONS answers", () => {
    const node = { versions: { node: '20.0.0' } };
    expect(nodeHasJit({ ...node, execArgv: [], env: {} })).toBe(true);
    expect(nodeHasJit({ ...node, execArgv: ['--jitless'], env: {} })).toBe(false);
    expect(nodeHasJit({ ...node, execArgv: [], env: { NODE_OPTIONS: '--max-old-space-size=4096 --jitless' } })).toBe(
      false,
    );
    expect(nodeHasJit({ ...node, execArgv: ['--jitless-foo'], env: { NODE_OPTIONS: '--jitlessness' } })).toBe(true);
  });

  test('elsewhere there is no Node answer, and the probe decides', () => {
    expect(nodeHasJit(null)).toBeUndefined();
    expect(nodeHasJit({ env: {} })).toBeUndefined();
  });

  test("the probe finds V8's JIT, and the answer is cached", () => {
    // A loaded test machine may starve V8's background compiler: a generous budget waits for it.
    expect(probeHasJit(5000)).toBe(true);
    expect(hostHasJit()).toBe(true);
    expect(hostHasJit()).toBe(true);
  });
});
