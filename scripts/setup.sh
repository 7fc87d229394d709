#!/usr/bin/env bash
# Installs the Debian packages dma needs, idempotently: only missing ones trigger apt-get.
set -euo pipefail

packages=(
  libgsl-dev libopenblas-dev          # numerics: GSL + OpenBLAS (cblas_sgemm)
  fortunes fortunes-min               # source field: general English
  dict-gcide dict-jargon dict-devil dict-foldoc wordnet-base bible-kjv
  libpython3.11-stdlib                # code target: the Python standard library
  python3                             # the example client of dma serve (docs/examples/dma_client.py)
)
if [[ "${1:-}" == "--with-slurm" ]]; then packages+=(slurm-wlm munge); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift not found on PATH (expected Swift 6 toolchain, e.g. /opt/swift/usr/bin)"; exit 1; }
