/* The Coldbrew demo page: an editor, a console and runnable examples.
 * No eval anywhere (the page is served with a CSP that forbids it): Python
 * examples run through Coldbrew.run, and the JavaScript examples are the
 * functions below, shown as their own source text. */
'use strict';

const PYTHON_EXAMPLES = {
  'Hello': `import sys, platform
print("Hello from Python", sys.version.split()[0])
print("platform:", sys.platform, platform.machine())
print("2 ** 100 =", 2 ** 100)
name = input("What is your name? ")
print(f"Nice to meet you, {name}!")
`,
  'Fibonacci timing': `import time
print("(runs asynchronously: the page stays responsive)")

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

for n in (20, 25):
    start = time.perf_counter()
    result = fib(n)
    print(f"fib({n}) = {result}  in {time.perf_counter() - start:.3f} s")
`,
  'Files': `import os, pathlib

home = pathlib.Path("/home")
(home / "notes").mkdir(exist_ok=True)
(home / "notes" / "hello.txt").write_text("written by Python at " + __import__("time").ctime() + "\\n")
(home / "notes" / "bytes.bin").write_bytes(bytes(range(256)))
for root, dirs, files in os.walk(home):
    for f in files:
        p = os.path.join(root, f)
        print(f"{p:32} {os.path.getsize(p):5} bytes")
print((home / "notes" / "hello.txt").read_text(), end="")
print("Press 'Save /home' to keep these files across reloads.")
`,
  'Standard library': `import sqlite3, json, zlib, hashlib, decimal
from datetime import datetime
from zoneinfo import ZoneInfo

db = sqlite3.connect(":memory:")
db.execute("create table langs (name text, year int)")
db.executemany("insert into langs values (?, ?)", [("Python", 1991), ("JavaScript", 1995), ("C", 1972)])
print(json.dumps(db.execute("select name, year from langs order by year").fetchall()))
print("sha256:", hashlib.sha256(b"coldbrew").hexdigest()[:16], "...")
print("zlib:", len(zlib.compress(b"a" * 10000)), "bytes for 10000 'a's")
print("decimal:", decimal.Decimal(1) / decimal.Decimal(7))
print("Tokyo time:", datetime.now(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d %H:%M %Z"))
`,
  'asyncio and fetch': `import asyncio, time
fetch = Coldbrew.get_variable("fetch")

async def size_of(url):
    response = await fetch(url)              # a JS Promise, awaited in a coroutine
    body = await response.array_buffer()
    return url, response.status, body.byte_length

async def main():
    start = time.perf_counter()
    urls = ["demo.js", "demo.css", "index.html", "no-such-file"]
    for url, status, size in await asyncio.gather(*(size_of(u) for u in urls)):
        print(f"{url:14} HTTP {status}  {size:6} bytes")
    print(f"{len(urls)} requests at once, in {time.perf_counter() - start:.3f} s")
    for i in range(3, 0, -1):
        print(i, "...")
        await asyncio.sleep(0.4)             # the page keeps running meanwhile
    print("done")

asyncio.run(main())
`,
  'Python drives the page': `document = Coldbrew.get_variable("document")
title = document.query_selector("h1 .sub")
old = title.text_content
title.text_content = "this line was changed from Python"
print("was:", old)
print("now:", title.text_content)
print("page has", document.query_selector_all("button").length, "buttons")
`,
};

const JS_EXAMPLES = {
  'Counter, used from JavaScript': function counterFromJavaScript(Coldbrew, print) {
    Coldbrew.run('from collections import Counter');
    const Counter = Coldbrew.getVariable('Counter');
    const c = new Counter(['red', 'blue', 'red', 'green', 'blue', 'blue']);
    print(c.toString());
    print('c.blue =', c.blue);
    print('c.mostCommon(2) =', JSON.stringify(c.mostCommon(2)));
    c.__destroy__();
    Counter.__destroy__();
  },
};

const $ = (id) => document.getElementById(id);
const editor = $('editor');
const consoleEl = $('console');
let current = null;

function write(text, cls) {
  const span = document.createElement('span');
  if (cls) span.className = cls;
  span.textContent = text;
  consoleEl.appendChild(span);
  consoleEl.scrollTop = consoleEl.scrollHeight;
}

function showExample(name) {
  current = name;
  for (const b of document.querySelectorAll('#examples button')) b.classList.toggle('active', b.textContent === name);
  if (name in JS_EXAMPLES) {
    editor.value = `// JavaScript (runs as written; this page's security policy forbids eval)\n${String(JS_EXAMPLES[name])}\n`;
    editor.readOnly = true;
    $('editor-label').textContent = 'JavaScript';
  } else {
    editor.value = PYTHON_EXAMPLES[name];
    editor.readOnly = false;
    $('editor-label').textContent = 'Python';
  }
}

/* Python runs asynchronously (Coldbrew.runAsync): the page stays responsive
 * while it works, and time.sleep does not freeze it. */
async function run() {
  if ($('run').disabled) return;
  $('run').disabled = true;
  const started = performance.now();
  try {
    if (editor.readOnly && current in JS_EXAMPLES) {
      JS_EXAMPLES[current](Coldbrew, (...args) => write(`${args.join(' ')}\n`));
    } else {
      $('stop').disabled = false;   // Stop: Coldbrew.interrupt(), a KeyboardInterrupt in the program
      await Coldbrew.runAsync(editor.value);
    }
    write(`[done in ${((performance.now() - started) / 1000).toFixed(3)} s]\n`, 'info');
  } catch (e) {
    if (e instanceof Coldbrew.PythonError) write(e.errorData.traceback, 'err');
    else write(`${e && e.stack ? e.stack : e}\n`, 'err');
  } finally {
    $('run').disabled = false;
    $('stop').disabled = true;
  }
}

function stop() {
  if (!$('stop').disabled) Coldbrew.interrupt();
}

function setupExamples() {
  const nav = $('examples');
  for (const name of [...Object.keys(PYTHON_EXAMPLES), ...Object.keys(JS_EXAMPLES)]) {
    const b = document.createElement('button');
    b.textContent = name;
    b.addEventListener('click', () => showExample(name));
    nav.appendChild(b);
  }
  showExample('Fibonacci timing');
}

editor.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    run();
  } else if (e.key === 'Escape') {
    stop();
  } else if (e.key === 'Tab' && !editor.readOnly) {
    e.preventDefault();
    editor.setRangeText('    ', editor.selectionStart, editor.selectionEnd, 'end');
  }
});
$('run').addEventListener('click', run);
$('stop').addEventListener('click', stop);
$('clear').addEventListener('click', () => { consoleEl.textContent = ''; });
$('save').addEventListener('click', async () => {
  try {
    write(`[saved ${await Coldbrew.saveFiles()} files of /home in this browser]\n`, 'info');
  } catch (e) {
    write(`${e.message}\n`, 'err');
  }
});
$('zip').addEventListener('click', () => {
  try {
    const bytes = Coldbrew.downloadPathToZip('/home', 'home.zip');
    write(`[home.zip: ${bytes.length} bytes]\n`, 'info');
  } catch (e) {
    write(`${e.message}\n`, 'err');
  }
});

setupExamples();
Coldbrew.onStandardOut = (line, partial) => write(partial ? line : `${line}\n`);
Coldbrew.onStandardErr = (line, partial) => write(partial ? line : `${line}\n`, 'err');
/* input() in the console: Python waits (asynchronously) for Enter in an
 * inline field; Ctrl+D ends the input. */
Coldbrew.onStandardInReadAsync = () => new Promise((resolve) => {
  const field = document.createElement('input');
  field.className = 'stdin';
  field.setAttribute('aria-label', 'Input for Python');
  consoleEl.appendChild(field);
  field.focus();
  field.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && !(e.key === 'd' && e.ctrlKey)) return;
    e.preventDefault();
    const eof = e.key !== 'Enter';
    field.remove();
    if (!eof) write(`${field.value}\n`, 'ok');
    resolve(eof ? null : `${field.value}\n`);
  });
});
/* Engines without JSPI run Python synchronously: a dialog then. */
Coldbrew.onStandardInRead = () => {
  const answer = window.prompt('Python asks for input:');
  if (answer === null) return null;
  write(`${answer}\n`, 'ok');
  return `${answer}\n`;
};

const loadStarted = performance.now();
Coldbrew.load({
  fsOptions: { persistHome: true },
  onProgress: ({ loaded, total }) => {
    $('progress-bar').style.width = `${(100 * loaded / total).toFixed(1)}%`;
    $('status-text').textContent = `Loading Python… ${(loaded / 1e6).toFixed(1)} / ${(total / 1e6).toFixed(1)} MB`;
  },
}).then(() => {
  const version = Coldbrew.getVariable('__import__("sys").version.split()[0]');
  const seconds = ((performance.now() - loadStarted) / 1000).toFixed(2);
  $('status-text').textContent = `Python ${version} ready (${seconds} s)`;
  $('version').textContent = `Coldbrew ${Coldbrew.getVariable('Coldbrew.version')} · CPython ${version}`;
  $('progress').style.display = 'none';
  for (const id of ['run', 'save', 'zip']) $(id).disabled = false;
  document.body.dataset.ready = 'true';
  write(`Python ${version} is ready. Pick an example or write your own, then press Run (Ctrl+Enter).\n`, 'info');
}, (e) => {
  $('status-text').textContent = `Loading failed: ${e.message}`;
  write(`${e.stack || e}\n`, 'err');
});
