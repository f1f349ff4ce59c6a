# Coldbrew: top-level commands. See README.md.
#   make build     build dist/ (first time: Debian 13 root, libraries, CPython; then cached)
#   make run       build, then run a Python program through Coldbrew (ARGS=...)
#   make test      build, then the whole test suite on Node 26 and the system Node
#   make test-cpython-full   CPython's whole regression suite; writes tests/cpython/results.md
#   make bench     benchmarks against native CPython
#   make clean     remove dist/ and the build cache
ARGS ?= src/examples/fib.py 25 -v
SHELL := /bin/bash

.PHONY: build run test test-node test-cpython test-cpython-full bench clean
build:
	@bash build/build.sh all

run:
	@bash build/run.sh $(ARGS)

test:
	@bash tests/run-all.sh

test-cpython-full: build
	@bash build/custom.sh tests/cpython/test-env >/dev/null
	@node_bin=$$(bash build/ensure-node.sh current) && "$$node_bin" tests/cpython/full.mjs

bench: build
	@for which in current system; do node_bin=$$(bash build/ensure-node.sh $$which) && "$$node_bin" bench/run.mjs && "$$node_bin" bench/bridge.mjs; echo; done

clean:
	@bash build/build.sh clean
