// A minimal W3C WebDriver client for WebKitGTK: Debian's WebKitWebDriver
// (package webkit2gtk-driver) under xvfb-run, driving its MiniBrowser in
// automation mode. Plain HTTP + JSON: neither Playwright (which needs its own
// patched WebKit) nor puppeteer (no WebKit) can drive the stock browser.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export const MINIBROWSER = process.env.COLDBREW_MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/* Starts the driver (in its own process group, so stop() ends Xvfb too). */
export async function startWebKit() {
  if (!fs.existsSync(MINIBROWSER)) throw new Error(`WebKitGTK's MiniBrowser is missing (${MINIBROWSER}): apt-get install webkit2gtk-driver`);
  const port = await freePort();
  const driver = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], { detached: true, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const send = async (method, path, body) => {
    const r = await fetch(url + path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const reply = await r.json();
    if (reply.value && reply.value.error) throw new Error(`WebDriver ${reply.value.error}: ${reply.value.message}`);
    return reply.value;
  };
  for (let i = 0; ; i++) {
    try {
      await send('GET', '/status');
      break;
    } catch (e) {
      if (i === 100) throw new Error(`WebKitWebDriver did not start on port ${port}: ${e.message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const { sessionId, capabilities } = await send('POST', '/session', {
    capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } },
  });
  const session = `/session/${sessionId}`;
  return {
    version: capabilities.browserVersion,
    goto: (address) => send('POST', `${session}/url`, { url: address }),
    /* Runs an async function's source in the page with one argument; its result (JSON-able). */
    evaluate: (fn, arg) => send('POST', `${session}/execute/async`, {
      script: 'const done = arguments[arguments.length - 1];\n' +
        `(${fn})(arguments[0]).then((value) => done({ value }), (e) => done({ error: String(e && e.stack || e) }));`,
      args: [arg ?? null],
    }).then((r) => { if (r.error) throw new Error(`in the page: ${r.error}`); return r.value; }),
    async stop() {
      try { await send('DELETE', session); } catch (e) { /* already gone */ }
      try { process.kill(-driver.pid, 'SIGTERM'); } catch (e) { /* already gone */ }
    },
  };
}
