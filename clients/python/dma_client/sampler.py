"""A PyTorch batch sampler that draws each batch's documents by the round's mixture.

Needs the ``torch`` extra (``pip install ./clients/python[torch]``); torch is imported when a
sampler is made, not when this package is.

    data = torch.utils.data.ConcatDataset([web_docs, books_docs, algebra_docs])
    sampler = MixtureBatchSampler({"web": len(web_docs), "books": len(books_docs),
                                   "algebra": len(algebra_docs)}, batch_size=32, batches=40, seed=0)
    loader = torch.utils.data.DataLoader(data, batch_sampler=sampler)
    for round_index in range(rounds):
        sampler.set_mixture(client.propose(state).as_dict())
        for batch in loader: ...                     # 40 batches drawn by this round's mixture
"""
from __future__ import annotations

import math
from typing import Any, Iterator, List, Mapping, Optional, Sequence, Union

from .errors import InvalidInput


class MixtureBatchSampler:
    """Yields ``batches`` batches of ``batch_size`` indices into the concatenation of the domains'
    datasets (in ``domain_sizes`` order, as ``torch.utils.data.ConcatDataset`` numbers them).

    Each document's domain is drawn from the mixture (multinomial, with replacement), then a
    document uniformly within that domain. Use it as a DataLoader's ``batch_sampler``.
    """

    def __init__(self, domain_sizes: Mapping[str, int], batch_size: int, batches: int,
                 mixture: Optional[Union[Sequence[float], Mapping[str, float]]] = None, seed: Optional[int] = None) -> None:
        import torch  # the optional extra: only a sampler needs it

        self._torch: Any = torch
        self.domains = list(domain_sizes)
        sizes = [int(domain_sizes[d]) for d in self.domains]
        if not sizes or any(n <= 0 for n in sizes):
            raise InvalidInput(f"every domain needs at least one document: {dict(domain_sizes)}")
        if batch_size <= 0 or batches <= 0:
            raise InvalidInput("batch_size and batches must be positive")
        self.batch_size, self.batches = batch_size, batches
        self._sizes = torch.tensor(sizes, dtype=torch.long)
        self._offsets = torch.cumsum(torch.tensor([0] + sizes[:-1], dtype=torch.long), 0)
        self._generator = torch.Generator()
        if seed is not None:
            self._generator.manual_seed(seed)
        self._weights = torch.full((len(sizes),), 1.0 / len(sizes), dtype=torch.float64)
        if mixture is not None:
            self.set_mixture(mixture)

    def set_mixture(self, mixture: Union[Sequence[float], Mapping[str, float]]) -> None:
        """The mixture of the next batches: weights in ``domain_sizes`` order or ``{domain: weight}``."""
        weights: List[float] = [mixture[d] for d in self.domains] if isinstance(mixture, Mapping) else list(mixture)
        if len(weights) != len(self.domains):
            raise InvalidInput(f"mixture has {len(weights)} weights for {len(self.domains)} domains")
        for d, w in zip(self.domains, weights):
            if not math.isfinite(w) or w < 0:
                raise InvalidInput(f"mixture weight of domain '{d}' is {w}; it must be a finite number >= 0")
        if abs(sum(weights) - 1) > 1e-6:
            raise InvalidInput(f"mixture sums to {sum(weights)}, not 1")
        self._weights = self._torch.tensor(weights, dtype=self._torch.float64)

    def __len__(self) -> int:
        return self.batches

    def __iter__(self) -> Iterator[List[int]]:
        torch = self._torch
        for _ in range(self.batches):
            domains = torch.multinomial(self._weights, self.batch_size, replacement=True, generator=self._generator)
            within = (torch.rand(self.batch_size, generator=self._generator, dtype=torch.float64)
                      * self._sizes[domains]).long().clamp_max(self._sizes[domains] - 1)
            yield (self._offsets[domains] + within).tolist()
