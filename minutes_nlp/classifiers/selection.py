"""Which unlabelled sentences people should label first: the annotation queue's order.

Margin sampling with diversity across meetings: the sentence whose two most probable labels are
closest, taken from the meeting with the fewest sentences labelled so far. The web service's queue
(web/queue.py) ranks its open sentences with :func:`priority`; ``benchmarks/active_learning.py``
replays the same order with :func:`queue_order`, so the benchmark measures what researchers are served.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np


def margins(proba) -> np.ndarray:
    """The gap between the two most probable labels of each row of predict_proba (1.0 with one class)."""
    p = np.asarray(proba, dtype=float)
    if p.shape[1] < 2:
        return np.ones(len(p))
    top = np.sort(p, axis=1)
    return top[:, -1] - top[:, -2]


def priority(margin: float, labelled_in_meeting: int, waiting_second: bool = False) -> tuple:
    """Sort key of an open sentence, smallest first: a second label awaited, then the least-labelled meeting, then
    the smallest margin."""
    return (not waiting_second, labelled_in_meeting, margin)


def queue_order(margin: Sequence[float], groups: Sequence[str], budget: int) -> list[int]:
    """Indices of the first budget sentences the queue serves a researcher who labels each one it is given."""
    pending: dict[str, list[int]] = defaultdict(list)
    for i in sorted(range(len(margin)), key=lambda i: (margin[i], i)):
        pending[groups[i]].append(i)
    labelled: Counter = Counter()
    chosen: list[int] = []
    while len(chosen) < budget and any(pending.values()):
        _key, i, group = min((priority(margin[q[0]], labelled[g]), q[0], g) for g, q in pending.items() if q)
        chosen.append(pending[group].pop(0))
        labelled[group] += 1
    return chosen
