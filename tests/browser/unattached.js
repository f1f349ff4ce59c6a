// For firefox.test.mjs: a browser started with no WebDriver attached cannot be
// asked for results, so this page reports each one to the test's server as
// GET /report?<text>. It loads worker mode with threads once per page, runs
// two Python threads, and goes on to a fresh page (?i=N+1) until ?n=N.
(async () => {
  const q = new URL(location.href).searchParams;
  const n = Number(q.get('n')), i = Number(q.get('i') || 0);
  const report = (text) => fetch(`/report?${encodeURIComponent(text)}`);
  let result;
  try {
    const lines = [];
    Coldbrew.onStandardOut = (line) => lines.push(line);
    result = await Promise.race([
      (async () => {
        await Coldbrew.load({ hideWarnings: true, worker: true, threadWorkers: 3 });
        await Coldbrew.run('import threading\nr = []\nts = [threading.Thread(target=r.append, args=(i,)) for i in range(2)]\n' +
          'for t in ts: t.start()\nfor t in ts: t.join()\nprint(sorted(r))');
        Coldbrew.unload();
        return lines.join(' ');
      })(),
      new Promise((resolve) => { setTimeout(() => resolve('no result in 20 s'), 20000); }),
    ]);
  } catch (e) {
    result = `${e.name}: ${e.message}`;
  }
  await report(`${i} ${crossOriginIsolated} ${result}`);
  if (i + 1 < n) location.href = `${location.pathname}?n=${n}&i=${i + 1}`;
})();
