// Loads Coldbrew as an ES module and reports the result on window.
import Coldbrew from '/dist/coldbrew.mjs';

window.moduleResult = (async () => {
  await Coldbrew.load({ hideWarnings: true });
  const lines = [];
  Coldbrew.onStandardOut = (line) => lines.push(line);
  Coldbrew.run('print(6 * 7)');
  return lines.join('\n');
})();
