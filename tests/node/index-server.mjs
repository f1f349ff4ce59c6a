// A package index for tests/node/packages.test.mjs, run as a child process on
// loopback (Python's synchronous HTTP would deadlock against a server in the
// test's own process). Serves the folder named by argv[2]: a path ending in /
// is a project page, index.json (PEP 691) when the client accepts
// application/vnd.pypi.simple.v1+json and the file exists, else index.html
// (PEP 503). Prints its port on stdout, then serves until killed.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2]);
const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const file = path.join(root, decodeURIComponent(url.pathname));
  if (!file.startsWith(root)) {
    res.writeHead(403);
    res.end();
    return;
  }
  let chosen = file;
  let type = 'application/octet-stream';
  if (url.pathname.endsWith('/')) {
    const wantsJson = (req.headers.accept || '').includes(JSON_TYPE);
    chosen = wantsJson && fs.existsSync(path.join(file, 'index.json')) ? path.join(file, 'index.json') : path.join(file, 'index.html');
    type = chosen.endsWith('.json') ? JSON_TYPE : 'text/html; charset=utf-8';
  }
  fs.readFile(chosen, (err, data) => {
    if (err) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(`no such file: ${url.pathname}`);
      return;
    }
    res.writeHead(200, { 'Content-Type': type });
    res.end(data);
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
