"""How a growth curve is called flat, linear or super-linear (no timing: synthetic costs)."""

from __future__ import annotations

from pathlib import Path
import sys

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.growth import Curve  # noqa: E402

SIZES = [1, 10, 100, 1000]
US = 1e-6


def shape(costs: list) -> str:
    curve = Curve("x", "x", "item", SIZES, "overhead", lambda n: (None, None))
    curve.costs = {n: cost * US for n, cost in zip(SIZES, costs)}
    return curve.shape()[0]


@pytest.mark.parametrize("costs, expected", [
    ([1.00, 1.05, 0.98, 1.10], "flat"),
    ([1.47, 1.30, 1.23, 1.25], "flat"),          # a noisy first size, no growth
    ([1.0, 1.1, 2.0, 11.0], "linear"),            # +10 ns per item
    ([1.0, 1.0, 1.2, 60.0], "super-linear"),
    ([1.2, 1.2, 72.0, 3.8], "linear"),            # a broken middle is never called flat
])
def test_a_curve_is_called_what_its_costs_show(costs: list, expected: str) -> None:
    assert shape(costs) == expected
