// Entry of the JavaScriptCore spec bundle (tests/jsc/build.js): the spec runner as a global
// for the shell script tests/jsc/shell.js, which reads scripts and prints one JSON line each.
import { runScriptSource } from '../../spec-tests/runner';

(globalThis as { runWastSource?: unknown }).runWastSource = runScriptSource;
