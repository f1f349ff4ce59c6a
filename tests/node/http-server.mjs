// A loopback HTTP server for tests/node/http.test.mjs, run as a child process:
// Coldbrew's synchronous HTTP blocks the test's own thread while Python waits.
// Prints its port on stdout, then serves until killed.
import http from 'node:http';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://x');
    switch (url.pathname) {
      case '/hello':
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Server': 'coldbrew-test' });
        res.end('hello from the server ✓');
        break;
      case '/echo':
        res.writeHead(201, 'Created Here', { 'Content-Type': 'application/json', 'X-Echo': req.headers['x-test'] || '' });
        res.end(JSON.stringify({ method: req.method, query: url.search, length: body.length,
          body: body.toString('latin1'), type: req.headers['content-type'] || null }));
        break;
      case '/bytes':
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        res.end(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
        break;
      case '/redirect':
        res.writeHead(302, { Location: '/hello' });
        res.end();
        break;
      case '/never':   // answers nothing, ever (an interrupted wait)
        break;
      case '/slow':
        setTimeout(() => { res.writeHead(200); res.end('late'); }, Number(url.searchParams.get('ms') || 3000));
        break;
      default:
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end(`no such page: ${url.pathname}`);
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
