// The measuring script of `npm run bench -- --host jsc`, run by JavaScriptCore's shell after
// the engines bundle (bench/jsc.js builds it: jetwasm's facade as `jetwasmWA`, polywasm's as
// `polywasmWA`). Argument: the options as JSON { hashMiB, warmup, warmupMs, reps,
// algorithms: [{ name, file, create, path }], sql: { rows, glue, wasm } | null }. Mirrors
// bench/harness.js: each engine gets its own load of hash-wasm's bundle (or sql.js's glue),
// made while globalThis.WebAssembly is that engine's object
// (`native` is the shell's own); rounds alternate engines, rotating the order; warm-up
// rounds are untimed; the figure is the median of the timed repetitions. Prints `@@ ` and
// the result as JSON.
(function (args) {
  'use strict';
  const opts = JSON.parse(args[0]);
  // sql.js's Emscripten glue binds console.log and console.error when it loads.
  if (typeof globalThis.console === 'undefined') globalThis.console = {};
  for (const k of ['log', 'error', 'warn']) if (typeof globalThis.console[k] !== 'function') globalThis.console[k] = () => {};
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

  /** A short digest of a string (FNV-1a), for comparing results between engines. */
  function digest(text) {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return (h >>> 0).toString(16).padStart(8, '0');
  }

  const hashRow = (alg, input) => ({
    row: { name: `${alg.name} ${opts.hashMiB} MiB`, key: alg.name, unit: 'MiB/s', scale: 1 / (1024 * 1024), engines: {} },
    work: input.length,
    async setup() {
      delete globalThis.hashwasm;
      load(alg.path);
      return globalThis.hashwasm[alg.create]();
    },
    run(hasher) {
      hasher.init();
      hasher.update(input);
      return hasher.digest('hex');
    },
  });

  // bench/workloads/sqljs.js's workload: a fresh in-memory database, `rows` INSERTs through a
  // prepared statement in one transaction, an aggregate and a GROUP BY query.
  const sqlRow = (sql) => ({
    row: { name: `sql.js ${sql.rows / 1000}k inserts+queries`, key: 'sqljs', unit: 'krows/s', scale: 1 / 1000, engines: {} },
    work: sql.rows,
    async setup() {
      load(sql.glue);
      return globalThis.initSqlJs({ wasmBinary: new Uint8Array(readFile(sql.wasm, 'binary')) });
    },
    run(SQL) {
      const db = new SQL.Database();
      try {
        db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL)');
        db.run('BEGIN');
        const ins = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?)');
        for (let i = 0; i < sql.rows; i++) ins.run([i, (i * 7919) % 97, `name-${(i * 104729) % 100003}`, ((i * 37) % 1000) / 7]);
        ins.free();
        db.run('COMMIT');
        const agg = db.exec('SELECT count(*), sum(value), avg(value), min(name), max(name), sum(length(name)) FROM t GROUP BY grp >= 0');
        const grouped = db.exec('SELECT grp, count(*), sum(value), max(id), min(name) FROM t GROUP BY grp ORDER BY grp');
        return digest(JSON.stringify([agg, grouped]));
      } finally {
        db.close();
      }
    },
  });

  async function measure(w) {
    const row = w.row;
    const live = [];
    for (const e of engines) {
      if (!e.WA) { row.engines[e.name] = { error: 'no WebAssembly' }; continue; }
      try {
        useWA(e.WA);
        live.push({ e, state: await w.setup(), samples: [], check: null });
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
          const check = w.run(s.state);
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
      row.engines[s.e.name] = { samplesMs: s.samples, medianMs, throughput: w.work / (medianMs / 1000), check: s.check };
    }
    useWA(nativeWA);
    return row;
  }

  async function main() {
    const input = makeInput(opts.hashMiB * 1024 * 1024);
    const results = [];
    for (const alg of opts.algorithms) results.push(await measure(hashRow(alg, input)));
    if (opts.sql) results.push(await measure(sqlRow(opts.sql)));
    return { results, meta: { engines: engines.map((e) => ({ name: e.name, via: e.via, ...(e.WA ? {} : { unavailable: 'absent' }) })) } };
  }

  main().then((r) => print('@@ ' + JSON.stringify(r)), (e) => print('@@ ' + JSON.stringify({ error: String((e && e.stack) || e) })));
})(typeof arguments !== 'undefined' ? arguments : scriptArgs);
