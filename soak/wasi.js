'use strict';
// Phase c: `bytes` bytes through a WASI program over real pipes (the shell joins the three
// processes of wasi-io.js); the output's byte count and SHA-256 equal the input's, the
// guest's FNV-1a equals the generator's, and the guest's heap and memory stay flat.

const { spawn } = require('child_process');
const path = require('path');

function run(opts) {
  const io = JSON.stringify(path.join(__dirname, 'wasi-io.js'));
  const node = JSON.stringify(process.execPath);
  const cmd = `${node} ${io} gen ${opts.bytes} ${opts.seed} | ${node} --expose-gc ${io} guest ${opts.bytes} | ${node} ${io} sink`;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/bin/sh', ['-c', cmd], { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const roles = {};
      for (const line of err.split('\n')) if (line.startsWith('SOAK-WASI ')) { const o = JSON.parse(line.slice(10)); roles[o.role] = o; }
      const { gen, guest, sink } = roles;
      const problems = [];
      if (!gen || !guest || !sink) problems.push(`missing reports (shell exit ${code}): ${err.trim().slice(0, 2000)}`);
      else {
        if (guest.exit !== 0) problems.push(`guest exit code ${guest.exit}`);
        if (gen.bytes !== opts.bytes || guest.bytes !== gen.bytes || sink.bytes !== gen.bytes) problems.push(`byte counts: gen ${gen.bytes}, guest ${guest.bytes}, sink ${sink.bytes}`);
        if (sink.sha256 !== gen.sha256) problems.push(`output SHA-256 ${sink.sha256} differs from the input's ${gen.sha256}`);
        if (guest.checksum !== gen.checksum) problems.push(`guest FNV-1a ${guest.checksum} differs from ${gen.checksum}`);
        if (guest.heap && !guest.heap.ok) problems.push(`guest heap moved ${(guest.heap.worst * 100).toFixed(1)}% from its level at 1%`);
        if (guest.samples.some((s) => s.pages !== 2)) problems.push('guest memory grew');
      }
      resolve({ ok: problems.length === 0, problems, bytes: opts.bytes, ms, mibPerS: opts.bytes / 1048576 / (ms / 1000), sha256: gen && gen.sha256, guest });
    });
  });
}

module.exports = { run };
