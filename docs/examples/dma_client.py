"""Ask a running `dma serve` for the next domain mixture, from any training loop (standard library only).

    from dma_client import propose
    weights = propose("http://127.0.0.1:8080", domains, mixtures, feedback, round_index, rounds)

`domains` is a list of {"name", "field" ("source", "math" or "code"), "scoreWeight"}; `mixtures` the
mixtures trained so far (one list per round); `feedback` the evaluation signals of the base model and
after each round ({"bpb/<domain>": ..., "em/<domain>": ...}); `round_index` the round about to be
trained (0-based). Returns the next mixture, one weight per domain, in `domains` order.
"""
import json
import sys
import urllib.error
import urllib.request


def propose(server, domains, mixtures, feedback, round_index, rounds, score=None, timeout=10):
    state = {"version": 1, "domains": domains, "round": round_index, "rounds": rounds,
             "mixtures": mixtures, "feedback": feedback}
    if score is not None:
        state["score"] = score
    request = urllib.request.Request(server.rstrip("/") + "/v1/propose", data=json.dumps(state).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as e:
        raise ValueError(json.load(e).get("error", str(e))) from None
    weights = answer["mixture"]
    if abs(sum(weights) - 1) > 1e-9 or len(weights) != len(domains):
        raise ValueError(f"server returned an invalid mixture: {weights}")
    return weights


if __name__ == "__main__":
    # python3 dma_client.py http://127.0.0.1:8080 state.json: one proposal for a saved state.
    server, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        s = json.load(f)
    weights = propose(server, s["domains"], s["mixtures"], s["feedback"], s["round"], s["rounds"], s.get("score"))
    for d, w in zip(s["domains"], weights):
        print(f"{d['name']:>12} {w:.4f}")
