# dma — the two commands of the README:
#   make demo   set up, build, and run the whole pipeline built so far on the embedded default
#   make test   set up, build, and run the test suite
SHELL := /bin/bash
DMA := .build/release/dma
# Benchmarks and tests pin BLAS threads: on a loaded 2-core machine extra threads can slow things down.
export OPENBLAS_NUM_THREADS ?= 1
TRAJECTORIES := datasets/trajectories/math-cpt-proxy.jsonl

.PHONY: demo test test-slurm setup build bench clean report-check example-torch

setup:
	@bash scripts/setup.sh

build: setup
	swift build -c release --product dma

demo: build
	bash scripts/demo.sh

# The float-sensitive suites run a second time under another OpenBLAS kernel (OpenBLAS picks one per
# CPU, and each rounds differently): a test that holds only under this machine's kernel fails here,
# not on a user's machine. Prescott (SSE3) runs on every x86-64 CPU.
FLOAT_SUITES := KernelsTests|TransformerTests|SurrogateTests|AgentTests|BaselinesTests|ValidationTests
OTHER_KERNEL ?= Prescott
# The server's timing tests run on their own: beside the CPU-bound suites, Swift's cooperative
# threads (one per core) are busy for minutes and a loopback connect can wait past any deadline.
ISOLATED_SUITES := ServerLimitsTests

test: setup
	swift build --build-tests
	swift test --skip-build --parallel --skip '$(ISOLATED_SUITES)'
	swift test --skip-build --filter '$(ISOLATED_SUITES)'
	@if [[ $$(uname -m) == x86_64 ]]; then \
	  echo "make test: the float-sensitive suites again under OPENBLAS_CORETYPE=$(OTHER_KERNEL)"; \
	  OPENBLAS_CORETYPE=$(OTHER_KERNEL) swift test --skip-build --parallel --filter '$(FLOAT_SUITES)'; \
	fi
	@echo "make test: the Python client (clients/python) against .build/debug/dma"
	DMA_BIN=.build/debug/dma PYTHONPATH=clients/python python3 -m unittest discover -s clients/python/tests -v

# A real single-node Slurm on localhost running a 4-task collection array (needs root; ~2 min).
test-slurm:
	bash scripts/test-slurm.sh

# Renders analysis/report.html (written by dma analyze) in headless chromium: screenshot kept as
# docs/analysis-report.png, and a DOM check that every plot is on the page. Installs chromium if
# missing; not part of `make test` so the test setup stays small.
REPORT ?= analysis/report.html
report-check:
	@command -v chromium >/dev/null || { SUDO=""; [[ $$(id -u) -ne 0 ]] && SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	bash scripts/check-report.sh $(REPORT) docs/analysis-report.png
	@# Quantised to 256 colours: 0.96 MB → 0.38 MB, which keeps the committed files under 20 MB.
	@command -v pngquant >/dev/null || { SUDO=""; [[ $$(id -u) -ne 0 ]] && SUDO="sudo"; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends pngquant >/dev/null; }
	pngquant --quality 70-90 --speed 1 --force --output docs/analysis-report.png docs/analysis-report.png

# The PyTorch example (examples/pytorch_cpt.py): a 391k-parameter byte GPT of our own, pre-trained
# briefly (cached under runs/), then CPT rounds mixed by `dma serve` (the bundled agent), logged with
# RunLogger and imported as trajectories of the model `pytorch-gpt`. Not part of `make test`.
TORCH_OUT ?= runs/torch-example
TORCH_ARGS ?= --rounds 4 --steps-per-round 30 --runs 1 --seed 0
example-torch:
	@python3 -c 'import torch' 2>/dev/null || python3 -m pip install torch --index-url https://download.pytorch.org/whl/cpu
	@if [[ ! -x $(DMA) || -n "$$(find Sources Package.swift -newer $(DMA) -print -quit)" ]]; then $(MAKE) build; fi
	@test -f datasets/build/manifest.json || $(DMA) data build
	OMP_NUM_THREADS=1 python3 examples/pytorch_cpt.py $(TORCH_ARGS) --dma $(DMA) --out $(TORCH_OUT)
	$(DMA) trajectories import --from $(TORCH_OUT)/runs.csv --env envs/math-cpt.json --model pytorch-gpt \
	  --model-description "PyTorch byte GPT, 391k params, 3 layers, d_model 96, context 64 (examples/pytorch_cpt.py)" \
	  --out $(TORCH_OUT)/runs.jsonl

bench: build
	$(DMA) bench
	$(DMA) surrogate bench --data $(TRAJECTORIES) --workers 2 --json docs/surrogate-bench.json

clean:
	rm -rf .build datasets/build runs
