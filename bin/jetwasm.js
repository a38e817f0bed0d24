#!/usr/bin/env node
'use strict';
// Launcher: the CLI itself is compiled TypeScript (cli/index.ts -> dist/cli/index.js).
require('../dist/cli/index.js').cli();
