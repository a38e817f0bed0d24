// Jest setup file: every test file, and every process it starts, keeps jetwasm's persistent
// compile cache in a temporary folder of its own, never in the user's ~/.cache/jetwasm (a
// test must neither read entries left by other runs nor leave any).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

process.env.XDG_CACHE_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'jetwasm-test-cache-'));
