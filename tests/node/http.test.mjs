// HTTP from Python in synchronous mode: urllib.request and http.client go
// through the host (Node: fetch in a helper worker, waited for with
// Atomics.wait). The server runs in a child process on loopback.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { Coldbrew, loadedInstance, py } from './helpers.mjs';

let cb, server, base, deadPort;

before(async () => {
  server = spawn(process.execPath, [new URL('./http-server.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  base = `http://127.0.0.1:${port}`;
  deadPort = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  cb = await loadedInstance();
  cb.run(`BASE = "${base}"\nDEAD = "http://127.0.0.1:${deadPort}"`);
});

after(() => server.kill());

describe('HTTP from Python (synchronous mode)', () => {
  test('urllib GET: status, headers, text body', () => {
    assert.equal(py(cb, `
import urllib.request
with urllib.request.urlopen(BASE + "/hello") as r:
    print(r.status, r.reason, r.headers["X-Server"], r.headers["Content-Type"])
    print(r.read().decode())
`), '200 OK coldbrew-test text/plain; charset=utf-8\nhello from the server ✓');
  });

  test('urllib POST with data and headers; a custom reason phrase', () => {
    assert.equal(py(cb, `
import urllib.request, json
req = urllib.request.Request(BASE + "/echo?x=1", data=b"a=1&b=\\xff", headers={"X-Test": "yes"}, method="POST")
with urllib.request.urlopen(req) as r:
    print(r.status, r.reason, r.headers["X-Echo"])
    print(json.loads(r.read()))
`), "201 Created Here yes\n{'method': 'POST', 'query': '?x=1', 'length': 7, 'body': 'a=1&b=ÿ', 'type': 'application/x-www-form-urlencoded'}");
  });

  test('a binary body arrives byte for byte', () => {
    assert.equal(py(cb, `
import urllib.request
print(urllib.request.urlopen(BASE + "/bytes").read() == bytes(range(256)))
`), 'True');
  });

  test('404 raises HTTPError with the code and a readable body', () => {
    assert.equal(py(cb, `
import urllib.request, urllib.error
try:
    urllib.request.urlopen(BASE + "/missing")
except urllib.error.HTTPError as e:
    print(e.code, e.reason, e.read().decode())
`), '404 Not Found no such page: /missing');
  });

  test('connection refused raises URLError (ConnectionRefusedError inside)', () => {
    assert.equal(py(cb, `
import urllib.request, urllib.error
try:
    urllib.request.urlopen(DEAD + "/x")
except urllib.error.URLError as e:
    print(type(e).__name__, type(e.reason).__name__)
`), 'URLError ConnectionRefusedError');
  });

  test('a redirect is followed by urllib', () => {
    assert.equal(py(cb, `
import urllib.request
r = urllib.request.urlopen(BASE + "/redirect")
print(r.status, r.url.endswith("/hello"), r.read().decode())
`), '200 True hello from the server ✓');
  });

  test('http.client directly: two requests on one connection, HEAD, a PUT with a body', () => {
    assert.equal(py(cb, `
import http.client, json
c = http.client.HTTPConnection(BASE.split("//")[1])
c.request("GET", "/hello")
r = c.getresponse()
print(r.status, r.read().decode())
c.request("PUT", "/echo", body=b"12345", headers={"Content-Type": "text/plain"})
r = c.getresponse()
print(r.status, json.loads(r.read())["length"])
c.request("HEAD", "/hello")
r = c.getresponse()
print(r.status, r.read())
c.close()
`), '200 hello from the server ✓\n201 5\n200 b\'\'');
  });

  test('HTTP works with transformVariableCasing off too', async () => {
    const plain = await loadedInstance({ hideWarnings: true, transformVariableCasing: false });
    assert.equal(py(plain, `import urllib.request\nprint(urllib.request.urlopen("${base}/hello").status)`), '200');
    plain.unload();
  });

  test('a timeout raises TimeoutError; https and HTTPSConnection exist without ssl', () => {
    assert.equal(py(cb, `
import urllib.request, urllib.error, http.client
try:
    urllib.request.urlopen(BASE + "/slow", timeout=0.5)
except urllib.error.URLError as e:
    print(type(e.reason).__name__)
print(http.client.HTTPSConnection.default_port, "https" in [type(h).__name__[:5].lower() for h in urllib.request.build_opener().handlers])
`), 'TimeoutError\n443 True');
    assert.throws(() => cb.run('import ssl'), (e) => e.errorData.type === 'ModuleNotFoundError');
  });
});

describe('HTTP from Python in an async run', () => {
  test('unload() while an async run waits for a response rejects the run (it does not resolve 0)', async () => {
    const other = Coldbrew.createNewInstance();
    await other.load({ hideWarnings: true });
    const waiting = other.runAsync(`import urllib.request\nurllib.request.urlopen("${base}/slow?ms=2000").read()`);
    await new Promise((r) => setTimeout(r, 200));
    other.unload();
    if (typeof WebAssembly.Suspending === 'function') {
      await assert.rejects(waiting, (e) => e.code === 'COLDBREW_UNLOADED');
    } else {
      assert.equal(await waiting, 0);   // without JSPI the run was synchronous: it finished before unload()
    }
  });

  test('urlopen does not block the event loop (JSPI); errors are the same', async () => {
    const JSPI = typeof WebAssembly.Suspending === 'function';
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    cb.out.length = 0;
    try {
      await cb.runAsync(`
import urllib.request, urllib.error
print(urllib.request.urlopen(BASE + "/slow?ms=300").read().decode())
print(urllib.request.urlopen(BASE + "/bytes").read() == bytes(range(256)))
try:
    urllib.request.urlopen(BASE + "/missing")
except urllib.error.HTTPError as e:
    print(e.code)
try:
    urllib.request.urlopen(DEAD + "/x")
except urllib.error.URLError as e:
    print(type(e.reason).__name__)
`);
    } finally {
      clearInterval(timer);   // a failing run must not leave the timer keeping the test process alive
    }
    assert.deepEqual(cb.out, ['late', 'True', '404', 'ConnectionRefusedError']);
    if (JSPI) assert.ok(ticks >= 30, `timer ticks during a 300 ms request: ${ticks}`);
    else assert.equal(ticks, 0, 'without JSPI the run (and the request) is synchronous');
  });

  test('urlopen inside a coroutine run by asyncio (the request is waited for in place)', async () => {
    cb.out.length = 0;
    await cb.runAsync(`
import asyncio, urllib.request
async def main():
    await asyncio.sleep(0.01)
    with urllib.request.urlopen(BASE + "/hello") as r:
        return r.status, r.read().decode()
print(asyncio.run(main()))
`);
    assert.deepEqual(cb.out, ["(200, 'hello from the server ✓')"]);
  });

  test('the reference\'s example: urlopen through getVariableAsync, read in one chain (bytes arrive as a Uint8Array)', async () => {
    cb.run('import urllib.request');
    const urllib = cb.getVariableAsync('urllib');
    const body = await urllib.request.urlopen(`${base}/hello`).read();
    assert.ok(body instanceof Uint8Array);
    assert.equal(new TextDecoder().decode(body), 'hello from the server ✓');
  });
});

describe('HTTP in worker mode', () => {
  test('a request to a server that never answers is interrupted (KeyboardInterrupt); the next request works', async () => {
    const w = Coldbrew.createNewInstance();
    await w.load({ worker: true, hideWarnings: true });
    await w.run(`BASE = "${base}"\nimport urllib.request`);
    const run = w.run('urllib.request.urlopen(BASE + "/never", timeout=60)');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const t0 = performance.now();
    assert.equal(await w.interrupt(), true);
    await assert.rejects(run, (e) => e.errorData.exctype === 'KeyboardInterrupt');
    assert.ok(performance.now() - t0 < 200, `${performance.now() - t0} ms`);
    assert.equal(await w.getVariable('urllib.request.urlopen(BASE + "/hello").read().decode()'), 'hello from the server ✓');
    w.unload();
  });
});

