// The cache host, where the bundle's `module.require('./node')` (runtime/cache/host.ts) finds
// it: loaded only when a cache is used, from the unbundled build. Its build fingerprint is the
// bundle's build id (node/load.ts), which covers exactly the code that runs, and costs no walk
// over the unbundled files.

import * as fs from 'fs';
import * as path from 'path';
import type { CacheHost } from '../runtime/cache/host';
import { nodeHost as unbundledHost } from '../runtime/cache/node';
import { BUILD_ID_LINE, bundleBuildId } from './load';

let fingerprint: string | undefined;

function bundleFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  let tail = '';
  try {
    const fd = fs.openSync(path.join(__dirname, 'bundle.js'), 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const n = Math.min(size, BUILD_ID_LINE.length + 66);
      const buf = Buffer.alloc(n);
      fs.readSync(fd, buf, 0, n, size - n);
      tail = buf.toString('latin1');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    tail = '';
  }
  const id = bundleBuildId(tail);
  // Without an id, the unbundled build's own fingerprint (a walk over its files).
  return (fingerprint = id === '' ? unbundledHost.buildFingerprint() : `bundle:${id}`);
}

export const nodeHost: CacheHost = { ...unbundledHost, buildFingerprint: bundleFingerprint };
