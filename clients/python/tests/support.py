"""Shared by the tests: the repository's root, the dma binary, and a `dma serve` on loopback."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import unittest
from pathlib import Path


ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "clients" / "python"))


def dma_binary() -> str:
    """DMA_BIN, or .build/debug/dma; a test needing it is skipped only when DMA_BIN is unset and
    the default is absent (`make test` sets DMA_BIN, so there it fails instead)."""
    given = os.environ.get("DMA_BIN")
    path = Path(given) if given else ROOT / ".build" / "debug" / "dma"
    if not path.is_absolute():
        path = ROOT / path
    if not path.exists():
        if given:
            raise AssertionError(f"DMA_BIN={given} does not exist; build with `swift build`")
        raise unittest.SkipTest(f"{path} not built (set DMA_BIN)")
    return str(path)


class Server:
    """`dma serve --policy POLICY --port 0` as a subprocess; `url` read from its first stdout line."""

    def __init__(self, policy: str = "uniform", *extra: str) -> None:
        self.process = subprocess.Popen([dma_binary(), "serve", "--policy", policy, "--port", "0", *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline() if self.process.stdout else ""
        match = re.search(r"http://[0-9.]+:[0-9]+", line)
        if not match:
            self.stop()
            raise AssertionError(f"dma serve did not print its address: {line!r}")
        self.url: str = match.group(0)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()
