"""One page of a large result without sorting every match: the same order as a full sort."""

import numpy as np
import pytest

from verhalenbank.zoeken.backend import first_in_order


@pytest.mark.parametrize("count", [1, 20, 137, 5_000, 20_000])
def test_first_in_order_equals_the_head_of_a_full_lexsort(count):
    rng = np.random.default_rng(count)
    # Few distinct values, so ties at the cut are the rule: dates of a few years, and scores.
    primary = rng.integers(20240101, 20240140, size=10_000)
    secondary = rng.permutation(10_000)
    expected = np.lexsort((secondary, primary))[:count]
    assert first_in_order(primary, secondary, count).tolist() == expected.tolist()
    scores = -rng.integers(0, 5, size=10_000) / 7
    assert first_in_order(scores, secondary, count).tolist() == np.lexsort((secondary, scores))[:count].tolist()
