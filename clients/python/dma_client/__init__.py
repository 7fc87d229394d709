"""Drive dma's data-mixing agent from your own training loop (standard library only).

* :class:`Client` asks a running ``dma serve`` for the next mixture (typed errors, timeouts);
* :class:`Feedback` turns your evaluation (losses, answers) into the signals a state needs;
* :class:`RunLogger` logs runs as the CSV ``dma trajectories import`` reads;
* :class:`MixtureBatchSampler` (``pip install ./clients/python[torch]``) draws batches by a mixture.
"""
from .client import REQUEST_VERSION, Client, Domain, Proposal, make_state
from .errors import ConnectionFailed, DMAError, InvalidInput, MalformedAnswer, RequestRejected, ServerFailed
from .feedback import (Feedback, bits_per_byte_from_loss, bits_per_byte_from_totals, bpb_key, check_signals, em_key,
                       exact_match)
from .runlog import RunLogger
from .sampler import MixtureBatchSampler  # imports torch only when a sampler is made

__all__ = [
    "REQUEST_VERSION", "Client", "Domain", "Proposal", "make_state",
    "DMAError", "ConnectionFailed", "RequestRejected", "ServerFailed", "MalformedAnswer", "InvalidInput",
    "Feedback", "bits_per_byte_from_loss", "bits_per_byte_from_totals", "exact_match", "bpb_key", "em_key", "check_signals",
    "RunLogger", "MixtureBatchSampler",
]

