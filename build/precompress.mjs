// Writes FILE.br (brotli, quality 11, 16 MB window) next to each FILE given, for
// servers that send precompressed files (bin/coldbrew-serve does). Runs in the
// build's Debian 13 root with its Node.
import fs from 'node:fs';
import zlib from 'node:zlib';

for (const file of process.argv.slice(2)) {
  const data = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(data, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  fs.writeFileSync(`${file}.br`, br);
  console.log(`${file}: ${data.length} -> ${br.length} bytes (brotli)`);
}
