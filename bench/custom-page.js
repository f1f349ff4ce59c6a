// bench/custom.mjs's page script: loads the custom environment named by
// data-name, runs /files/app.py, and leaves the time to its first line of
// output (ms since navigation start) in window.benchResult.
(async () => {
  const name = document.currentScript.dataset.name;
  const env = window[name];
  try {
    await env.load({ hideWarnings: true });
    let first = null;
    env.onStandardOut = (line) => { first ??= line; };
    env.runFile('/files/app.py');
    window.benchResult = { first, ms: performance.now() };
  } catch (e) {
    window.benchResult = { first: null, error: String(e) };
  }
})();
