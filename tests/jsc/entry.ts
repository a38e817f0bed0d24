// Entry of the JavaScriptCore spec bundle (tests/jsc/support.js buildShellBundle): the spec runner as a global
// for the shell script tests/jsc/shell.js, which reads scripts and prints one JSON line each,
// and the code-generation profile the host gets by default.
import { runScriptSource } from '../../spec-tests/runner';
import { codegenProfileFor } from '../../runtime/optlimit';

const g = globalThis as { runWastSource?: unknown; jetwasmDefaultProfile?: unknown };
g.runWastSource = runScriptSource;
g.jetwasmDefaultProfile = (): string => codegenProfileFor({});
