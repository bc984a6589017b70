"""The annotation queue's order: margin sampling with diversity across meetings, replayed by the benchmark."""

from __future__ import annotations

import numpy as np

from minutes_nlp.classifiers.selection import margins, priority, queue_order


def test_margins_are_the_gap_between_the_two_most_probable_labels():
    proba = [[0.5, 0.3, 0.2], [0.1, 0.45, 0.45], [0.9, 0.05, 0.05]]
    assert np.allclose(margins(proba), [0.2, 0.0, 0.85])


def test_queue_order_takes_the_least_labelled_meeting_then_the_smallest_margin():
    # meeting A: 0.10, 0.20; meeting B: 0.05, 0.50; meeting C: 0.30
    margin = [0.10, 0.20, 0.05, 0.50, 0.30]
    groups = ["A", "A", "B", "B", "C"]
    # one from each meeting by margin (B, A, C), then the second round by the margins left: A's 0.20 before B's 0.50
    assert queue_order(margin, groups, 5) == [2, 0, 4, 1, 3]
    assert queue_order(margin, groups, 2) == [2, 0]
    assert queue_order(margin, groups, 9) == [2, 0, 4, 1, 3]  # the pool runs out


def test_a_second_label_awaited_comes_before_anything_else():
    waiting = priority(0.9, 5, waiting_second=True)
    assert waiting < priority(0.0, 0) and priority(0.2, 0) < priority(0.1, 1)
