// Start-up timing for bench/browser.mjs: load() as soon as the script runs,
// then one run(); times are ms since navigation start (performance.now()).
window.bench = Coldbrew.load({ hideWarnings: true }).then(() => {
  const loaded = performance.now();
  let first = null;
  Coldbrew.onStandardOut = (line) => { if (first === null && line === '2') first = performance.now(); };
  Coldbrew.run('print(1 + 1)');
  return { loaded, first };
});
