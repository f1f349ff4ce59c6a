// Records whether this page's Content-Security-Policy blocks eval (it should:
// bin/coldbrew-serve allows 'wasm-unsafe-eval' but not 'unsafe-eval').
window.cspEvalBlocked = (() => {
  try {
    (0, eval)('1');
    return false;
  } catch (e) {
    return e instanceof EvalError;
  }
})();
