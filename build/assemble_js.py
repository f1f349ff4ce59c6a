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
a = ap.parse_args()

js = pathlib.Path(a.api_dir)
core = pathlib.Path(a.core).read_text()
examples = {p.name: p.read_text() for p in sorted(pathlib.Path(a.examples_dir).glob("*.py"))}
body = ("const CB_EXAMPLES = " + json.dumps(examples, indent=0) + ";\n" + (js / "bridge.js").read_text()
        + (js / "api.js").read_text())
out = pathlib.Path(a.out_dir)
(out / "coldbrew.js").write_text(
    (js / "prelude-cjs.js").read_text() + core + "\n" + body + (js / "epilogue-cjs.js").read_text())
(out / "coldbrew.mjs").write_text(
    (js / "prelude-esm.js").read_text() + core + "\n" + body + (js / "epilogue-esm.js").read_text())
