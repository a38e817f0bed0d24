// Environment variables of the host, where it has them. Only Node-like hosts have `process`;
// pages and engine shells do not. Reading it through `globalThis` keeps the browser bundle
// free of references to Node's free global, so nothing there needs guarding per use.

type ProcessLike = { env?: Record<string, string | undefined> };

/** The value of environment variable `name`, or undefined where the host has no environment. */
export function hostEnv(name: string): string | undefined {
  return (globalThis as { process?: ProcessLike }).process?.env?.[name];
}
