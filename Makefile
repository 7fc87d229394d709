# dma — the two commands of the README:
#   make demo   set up, build, and run the whole pipeline built so far on the embedded default
#   make test   set up, build, and run the test suite
SHELL := /bin/bash
DMA := .build/release/dma
# Benchmarks and tests pin BLAS threads: on a loaded 2-core machine extra threads can slow things down.
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: demo test setup build bench clean

setup:
	@bash scripts/setup.sh

build: setup
	swift build -c release --product dma

demo: build
	bash scripts/demo.sh

test: setup
	swift build --build-tests
	swift test --skip-build --parallel

bench: build
	$(DMA) bench

clean:
	rm -rf .build datasets/build runs
