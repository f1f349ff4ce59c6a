"""Assembles dist/coldbrew.js (classic script + CommonJS) and dist/coldbrew.mjs
(ES module) from Emscripten's factory and src/js/. Plain concatenation of our
own parts around Emscripten's output, which is left untouched.
The example scripts (src/examples/*.py) are embedded as CB_EXAMPLES."""
import argparse
import json
import pathlib

ap = argparse.ArgumentParser()
ap.add_argument("--core", required=True)
ap.add_argument("--api-dir", required=True)
ap.add_argument("--examples-dir", required=True)
ap.add_argument("--out-dir", required=True)
ap.add_argument("--wasm", help="coldbrew.wasm (default: next to --core)")
ap.add_argument("--stdlib", required=True, help="coldbrew-stdlib.zip")
a = ap.parse_args()

js = pathlib.Path(a.api_dir)
core = pathlib.Path(a.core).read_text()
examples = {p.name: p.read_text() for p in sorted(pathlib.Path(a.examples_dir).glob("*.py"))}
wasm = pathlib.Path(a.wasm) if a.wasm else pathlib.Path(a.core).with_name("coldbrew.wasm")
sizes = {"coldbrew.wasm": wasm.stat().st_size, "coldbrew-stdlib.zip": pathlib.Path(a.stdlib).stat().st_size}
body = ("const CB_EXAMPLES = " + json.dumps(examples, indent=0) + ";\n"
        + "const CB_ASSET_SIZES = " + json.dumps(sizes) + ";   // bytes, for load() progress\n" + (js / "text.js").read_text() + (js / "bridge.js").read_text()
        + (js / "vfs.js").read_text() + (js / "storage.js").read_text() + (js / "api.js").read_text())
out = pathlib.Path(a.out_dir)
(out / "coldbrew.js").write_text(
    (js / "prelude-cjs.js").read_text() + core + "\n" + body + (js / "epilogue-cjs.js").read_text())
(out / "coldbrew.mjs").write_text(
    (js / "prelude-esm.js").read_text() + core + "\n" + body + (js / "epilogue-esm.js").read_text())
