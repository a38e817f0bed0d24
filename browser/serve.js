#!/usr/bin/env node
// A minimal static file server for the browser build, bound to 127.0.0.1.
//
//   node browser/serve.js [DIR] [PORT]        (defaults: dist/browser, 8080; PORT 0 = any free port)
//
// Module scripts need a JavaScript MIME type, so .mjs is served as text/javascript. Paths
// are confined to DIR. No Content-Security-Policy is sent: the runtime compiles Wasm to
// JavaScript with `new Function`, which a policy without 'unsafe-eval' would forbid.
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.wat': 'text/plain; charset=utf-8',
  '.png': 'image/png',
};

/** An http.Server (not yet listening) serving the files under dir. */
function createStaticServer(dir) {
  const base = path.resolve(dir);
  return http.createServer((req, res) => {
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(base, path.normalize(rel));
    if (file !== base && !file.startsWith(base + path.sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
      }).end(body);
    });
  });
}

module.exports = { createStaticServer };

if (require.main === module) {
  const dir = process.argv[2] ?? path.join(__dirname, '..', 'dist', 'browser');
  const port = Number(process.argv[3] ?? 8080);
  const server = createStaticServer(dir);
  server.listen(port, '127.0.0.1', () => {
    const { port: actual } = server.address();
    console.log(`serving ${path.resolve(dir)} at http://127.0.0.1:${actual}/  (demo: http://127.0.0.1:${actual}/demo.html)`);
  });
}
