// The cache host, where the bundle's `module.require('./node')` (runtime/cache/host.ts) finds
// it: loaded only when a cache is used, from the unbundled build.

export { nodeHost } from '../runtime/cache/node';
