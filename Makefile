# dma — the two commands of the README:
#   make demo   set up, build, and run the whole pipeline built so far on the embedded default
#   make test   set up, build, and run the test suite
SHELL := /bin/bash
DMA := .build/release/dma
# Benchmarks and tests pin BLAS threads: on a loaded 2-core machine extra threads can slow things down.
export OPENBLAS_NUM_THREADS ?= 1
TRAJECTORIES := datasets/trajectories/math-cpt-proxy.jsonl

.PHONY: demo test test-slurm setup build bench clean

setup:
	@bash scripts/setup.sh

build: setup
	swift build -c release --product dma

demo: build
	bash scripts/demo.sh

test: setup
	swift build --build-tests
	swift test --skip-build --parallel

# A real single-node Slurm on localhost running a 4-task collection array (needs root; ~2 min).
test-slurm:
	bash scripts/test-slurm.sh

bench: build
	$(DMA) bench
	$(DMA) surrogate bench --data $(TRAJECTORIES) --workers 2 --json docs/surrogate-bench.json

clean:
	rm -rf .build datasets/build runs
