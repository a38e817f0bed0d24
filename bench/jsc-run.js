// The measuring script of `npm run bench -- --host jsc`, run by JavaScriptCore's shell after
// the engines bundle (bench/jsc.js builds it: jetwasm's facade as `jetwasmWA`, polywasm's as
// `polywasmWA`). Argument: the options as JSON { hashMiB, warmup, warmupMs, reps,
// algorithms: [{ name, file, create, path }] }. Mirrors bench/harness.js for the hash rows: each engine gets its own
// load of hash-wasm's bundle, made while globalThis.WebAssembly is that engine's object
// (`native` is the shell's own); rounds alternate engines, rotating the order; warm-up
// rounds are untimed; the figure is the median of the timed repetitions. Prints `@@ ` and
// the result as JSON.
(function (args) {
  'use strict';
  const opts = JSON.parse(args[0]);
  const now = () => preciseTime() * 1000; // ms
  const nativeWA = globalThis.WebAssembly;
  const engines = [
    { name: 'native', WA: nativeWA, via: nativeWA ? 'JavaScriptCore WebAssembly' : 'absent' },
    { name: 'jetwasm', WA: globalThis.jetwasmWA, via: 'WebAssembly facade' },
    { name: 'polywasm', WA: globalThis.polywasmWA, via: 'polywasm' },
  ];
  const useWA = (WA) => { globalThis.WebAssembly = WA; };
  const collect = () => { if (typeof gc === 'function') gc(); };

  function makeInput(bytes) {
    const out = new Uint8Array(bytes);
    const w = new Uint32Array(out.buffer);
    let x = 0x9e3779b9;
    for (let i = 0; i < w.length; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      w[i] = x >>> 0;
    }
    return out;
  }

  function median(xs) {
    const s = xs.slice().sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  const oneLine = (e) => String((e && e.message) || e).split('\n')[0];

  async function measure(alg, input) {
    const size = input.length;
    const row = { name: `${alg.name} ${opts.hashMiB} MiB`, key: alg.name, unit: 'MiB/s', scale: 1 / (1024 * 1024), engines: {} };
    const live = [];
    for (const e of engines) {
      if (!e.WA) { row.engines[e.name] = { error: 'no WebAssembly' }; continue; }
      try {
        useWA(e.WA);
        delete globalThis.hashwasm;
        load(alg.path);
        const lib = globalThis.hashwasm;
        const hasher = await lib[alg.create]();
        live.push({ e, hasher, samples: [], check: null });
      } catch (err) {
        row.engines[e.name] = { error: `setup failed: ${oneLine(err)}` };
      }
    }
    // Warm-up lasts `warmup` rounds and at least `warmupMs`: JSC tiers up big functions late.
    const warmStart = now();
    let warmup = opts.warmup;
    for (let r = 0; r < warmup + opts.reps; r++) {
      if (r === warmup - 1 && now() - warmStart < opts.warmupMs) warmup++;
      for (let k = 0; k < live.length; k++) {
        const s = live[(k + r) % live.length];
        if (s.error) continue;
        useWA(s.e.WA);
        collect();
        try {
          const t0 = now();
          s.hasher.init();
          s.hasher.update(input);
          const check = s.hasher.digest('hex');
          const ms = now() - t0;
          if (r >= warmup) s.samples.push(ms);
          s.check = check;
        } catch (err) {
          s.error = `run failed: ${oneLine(err)}`;
        }
      }
    }
    for (const s of live) {
      if (s.error) { row.engines[s.e.name] = { error: s.error }; continue; }
      const medianMs = median(s.samples);
      row.engines[s.e.name] = { samplesMs: s.samples, medianMs, throughput: size / (medianMs / 1000), check: s.check };
    }
    useWA(nativeWA);
    return row;
  }

  async function main() {
    const input = makeInput(opts.hashMiB * 1024 * 1024);
    const results = [];
    for (const alg of opts.algorithms) results.push(await measure(alg, input));
    return { results, meta: { engines: engines.map((e) => ({ name: e.name, via: e.via, ...(e.WA ? {} : { unavailable: 'absent' }) })) } };
  }

  main().then((r) => print('@@ ' + JSON.stringify(r)), (e) => print('@@ ' + JSON.stringify({ error: String((e && e.stack) || e) })));
})(typeof arguments !== 'undefined' ? arguments : scriptArgs);
