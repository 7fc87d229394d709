"""Ask a running `dma serve` for the next mixture of a saved state, with the dma_client package.

    PYTHONPATH=clients/python python3 docs/examples/dma_client.py http://127.0.0.1:8080 docs/examples/state.json

(or `pip install ./clients/python` first). In a training loop, see clients/python/README.md.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "clients" / "python"))  # run from a checkout, no install
from dma_client import Client, DMAError  # noqa: E402

if __name__ == "__main__":
    server, path = sys.argv[1], sys.argv[2]
    state = json.loads(Path(path).read_text())
    try:
        proposal = Client(server, timeout=10).propose(state)
    except DMAError as e:
        sys.exit(f"dma_client: {e}")
    for domain, weight in proposal.as_dict().items():
        print(f"{domain:>12} {weight:.4f}")
    print(f"(policy {proposal.policy}, score weights {proposal.score.get('weights')}: {proposal.score.get('sourceWeights')})")
