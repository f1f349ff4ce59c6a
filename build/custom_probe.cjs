// What start-up needs, asked of a built runtime (build/custom_build.py runs it
// with the toolchain's node): node custom_probe.cjs RUNTIME_DIR
// Prints JSON: {files: the stdlib files start-up reads, and those the runtime
// itself reads later (a Python error's traceback, the zip helpers that also
// unpack a custom build's files/), which a keep-list must never drop; unused:
// the built-in C modules neither start-up nor those parts of the runtime
// import (the only ones a custom build may drop)}.
'use strict';
const path = require('path');
const Coldbrew = require(path.resolve(process.argv[2], 'coldbrew.js'));
Coldbrew.load({ hideWarnings: true, monitorFileUsage: true }).then(() => {
  try { Coldbrew.run('raise ValueError("what an error report needs")'); } catch (e) { /* expected */ }
  Coldbrew.run('import _coldbrew.files');
  const unused = Coldbrew.getUnusedModules();
  process.stdout.write(JSON.stringify({ files: Coldbrew.getUsedFiles().split('\n'), unused }) + '\n');
}, (e) => {
  process.stderr.write(`custom_probe: the runtime did not load: ${e.message}\n`);
  process.exitCode = 1;
});
