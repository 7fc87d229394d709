"""The client against a live `dma serve` on loopback, and its error paths."""
from __future__ import annotations

import copy
import http.server
import json
import socket
import threading
import time
import unittest
import urllib.error
import urllib.request

from support import ROOT, Server

from dma_client import (Client, ConnectionFailed, Domain, InvalidInput, MalformedAnswer, RequestRejected, ServerFailed,
                        make_state)

EXAMPLE = json.loads((ROOT / "docs" / "examples" / "state.json").read_text())


class ScoreWeightedServerTests(unittest.TestCase):
    """`dma serve --policy score-weighted:R --env E`: the source share R split by E's score weights."""

    def test_score_weighted_reads_the_environment(self) -> None:
        env_path = ROOT / "envs" / "math-cpt.json"
        env = json.loads(env_path.read_text())
        weights = env["score"]["sourceWeights"]
        domains = [Domain(d.split("/", 1)[1], "source", score_weight=weights[d]) for d in env["space"]["source"]] + \
                  [Domain(d.split("/", 1)[1], d.split("/", 1)[0]) for d in env["space"]["target"]]
        fb = {f"bpb/{d.name}": 3.0 for d in domains}
        fb.update({f"em/{d.name}": 0.0 for d in domains if d.field != "source"})
        server = Server("score-weighted:0.7", "--env", str(env_path))
        try:
            proposal = Client(server.url, timeout=10).propose(make_state(domains, 0, 6, [], [fb]))
        finally:
            server.stop()
        mix = proposal.as_dict()
        sources = [d.name for d in domains if d.field == "source"]
        self.assertAlmostEqual(sum(mix[d] for d in sources), 0.7, delta=len(domains) * env["collection"]["floor"])
        self.assertEqual(max(mix, key=mix.get), "jargon")  # score weight 6 of 6.7
        self.assertGreater(mix["jargon"], 0.5)
        with self.assertRaises(AssertionError) as caught:  # without the environment it does not start
            Server("score-weighted:0.7")
        self.assertIn("did not print its address", str(caught.exception))


class LiveServerTests(unittest.TestCase):
    """One server for the class (started in setUpClass, stopped in tearDownClass)."""

    server: Server

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = Server("uniform")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.stop()

    def setUp(self) -> None:
        self.client = Client(self.server.url, timeout=10)

    def test_health_and_policy(self) -> None:
        self.assertTrue(self.client.health())
        meta = self.client.policy()
        self.assertEqual(meta["policy"], "uniform")
        self.assertEqual(meta["requestVersion"], 1)

    def test_propose_the_example_state(self) -> None:
        proposal = self.client.propose(EXAMPLE)
        self.assertEqual(proposal.domains, ["web", "books", "algebra", "geometry"])
        self.assertEqual(proposal.round, 2)
        self.assertAlmostEqual(sum(proposal.mixture), 1, places=9)
        self.assertEqual(proposal.as_dict(), {"web": 0.25, "books": 0.25, "algebra": 0.25, "geometry": 0.25})
        # The answer echoes the score weights it used.
        self.assertEqual(proposal.score["weights"], "given")
        self.assertEqual(proposal.score["sourceWeights"], {"web": 6, "books": 1})

    def test_made_state_with_uniform_weights(self) -> None:
        domains = [Domain("web", "source"), Domain("algebra", "math")]
        state = make_state(domains, 0, 4, [], [{"bpb/web": 2.5, "bpb/algebra": 6.0, "em/algebra": 0.0}], weights="uniform")
        proposal = self.client.propose(state)
        self.assertEqual(proposal.score["weights"], "uniform")
        self.assertEqual(proposal.mixture, [0.5, 0.5])

    def test_a_bad_state_is_a_typed_4xx_with_the_servers_message(self) -> None:
        bad = copy.deepcopy(EXAMPLE)
        bad["feedback"][1]["bpb/web"] = -0.5
        with self.assertRaises(RequestRejected) as caught:
            self.client.propose(bad)
        self.assertEqual(caught.exception.status, 400)
        self.assertEqual(caught.exception.message, "request: feedback[1]['bpb/web'] is -0.5; it must be in [0, 64]")

    def test_unstated_score_weights_are_refused(self) -> None:
        bad = copy.deepcopy(EXAMPLE)
        for d in bad["domains"]:
            d.pop("scoreWeight", None)
        with self.assertRaises(RequestRejected) as caught:
            self.client.propose(bad)
        self.assertIn("has no scoreWeight", caught.exception.message)
        self.assertIn('"weights": "uniform"', caught.exception.message)

    def test_wrong_history_length_says_what_to_send(self) -> None:
        bad = copy.deepcopy(EXAMPLE)
        bad["mixtures"].pop()
        with self.assertRaises(RequestRejected) as caught:
            self.client.propose(bad)
        self.assertIn("mixtures has 1 entries but must have 2", caught.exception.message)

    def test_nan_is_refused_before_sending_and_named_by_the_server(self) -> None:
        bad = copy.deepcopy(EXAMPLE)
        bad["feedback"][2]["em/algebra"] = float("nan")
        with self.assertRaises(InvalidInput) as caught:
            self.client.propose(bad)
        self.assertIn("feedback[2]['em/algebra']", str(caught.exception))
        # What a plain json.dumps sends: the server names the field too.
        request = urllib.request.Request(self.server.url + "/v1/propose", data=json.dumps(bad).encode(), method="POST")
        with self.assertRaises(urllib.error.HTTPError) as raw:
            urllib.request.urlopen(request, timeout=10)
        self.assertEqual(raw.exception.code, 400)
        self.assertTrue(json.load(raw.exception)["error"].startswith("request: feedback[2]['em/algebra'] is NaN"))

    def test_unknown_route_is_a_4xx(self) -> None:
        with self.assertRaises(RequestRejected) as caught:
            self.client._call("GET", "/v2/nothing")
        self.assertEqual(caught.exception.status, 404)


class _Canned(http.server.BaseHTTPRequestHandler):
    """Answers every request with the class's status and body (a stand-in for a broken server)."""

    status = 200
    body = b"{}"

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


class FailureTests(unittest.TestCase):
    def canned(self, status: int, body: bytes) -> str:
        handler = type("Handler", (_Canned,), {"status": status, "body": body})
        server = http.server.HTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return f"http://127.0.0.1:{server.server_address[1]}"

    def test_nothing_listening_is_a_connection_failure(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]  # closed again: nothing listens there
        with self.assertRaises(ConnectionFailed):
            Client(f"http://127.0.0.1:{port}", timeout=2).health()

    def test_a_silent_server_times_out(self) -> None:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        self.addCleanup(listener.close)
        started = time.monotonic()
        with self.assertRaises(ConnectionFailed):
            Client(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=0.3).health()
        self.assertLess(time.monotonic() - started, 3)

    def test_5xx_is_a_server_failure_with_its_message(self) -> None:
        url = self.canned(500, b'{"error": "policy \'x\': broke"}')
        with self.assertRaises(ServerFailed) as caught:
            Client(url).propose(EXAMPLE)
        self.assertEqual((caught.exception.status, caught.exception.message), (500, "policy 'x': broke"))

    def test_malformed_answers(self) -> None:
        for body in [b"not json", b"[1, 2]", b'{"mixture": [1]}',
                     json.dumps({"domains": ["web", "books", "algebra", "geometry"], "mixture": [0.5, 0.5, 0.5, 0.5],
                                 "policy": "p", "policyFingerprint": "f", "round": 2}).encode()]:
            with self.subTest(body=body), self.assertRaises(MalformedAnswer):
                Client(self.canned(200, body)).propose(EXAMPLE)


if __name__ == "__main__":
    unittest.main()
