"""A careful ``timeit``: calibrated loops, warm-up, interleaved repeats, medians.

Time is the measuring thread's CPU time (``time.thread_time``) by default:
the machine is shared, and wall-clock time would also count the moments the
scheduler gives our core to someone else. ``clock="wall"`` uses
``time.perf_counter`` instead.

Competitors that are compared with each other are timed in the same round,
one after the other, in an order that rotates every round; the machine is
shared and noisy, so what a round measures is the *difference* between
competitors under the same conditions. Each figure is the median over
rounds; an overhead is the median of the per-round differences
(wrapped − bare), so slow drifts of the machine cancel out.

The garbage collector runs (``gc.collect()``) before each round and is
paused while the round is timed, as ``timeit`` does: a collection is
triggered by the allocation count, so it would land in whichever
competitor's sample happens to cross the threshold. The price: code that
allocates more is not charged for the collections it causes, which favours
the competitor that allocates more (wsgicors, against the floors).
``Settings(gc=True)`` (``--gc``) keeps the collector on while timing.
"""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

Loop = Callable[[int], None]
CLOCKS: Dict[str, Callable[[], float]] = {"cpu": time.thread_time, "wall": time.perf_counter}


@dataclass
class Settings:
    repeats: int = 15          #: rounds; the median of these is reported
    sample_time: float = 0.02  #: seconds one competitor's sample aims for
    warmup: float = 0.01       #: seconds of warm-up per competitor before round 1
    max_loops: int = 200_000
    fixed_loops: Optional[int] = None  #: smoke mode: no calibration, this many calls
    clock: str = "cpu"         #: "cpu" (thread CPU time) or "wall"
    gc: bool = False           #: keep the garbage collector on while a round is timed

    @classmethod
    def smoke(cls) -> "Settings":
        return cls(repeats=2, sample_time=0.0, warmup=0.0, fixed_loops=3)


@dataclass
class Result:
    """Per-call seconds of each competitor, one entry per round."""

    samples: Dict[str, List[float]] = field(default_factory=dict)
    loops: Dict[str, int] = field(default_factory=dict)

    def median(self, name: str) -> float:
        return statistics.median(self.samples[name])

    def overhead(self, name: str, baseline: str) -> float:
        """Median of the per-round differences ``name − baseline`` (seconds per call)."""
        pairs = zip(self.samples[name], self.samples[baseline])
        return statistics.median(a - b for a, b in pairs)

    def ratio(self, name: str, baseline: str) -> float:
        """Median of the per-round ratios ``name / baseline``."""
        pairs = zip(self.samples[name], self.samples[baseline])
        return statistics.median(a / b for a, b in pairs)


def _calibrate(loop: Loop, settings: Settings) -> int:
    if settings.fixed_loops is not None:
        return settings.fixed_loops
    clock = CLOCKS[settings.clock]
    # warm-up: caches, lazy imports, specialised bytecode
    deadline = time.perf_counter() + settings.warmup
    n = 1
    while True:
        start = clock()
        loop(n)
        elapsed = clock() - start
        if elapsed >= settings.sample_time / 4 or n >= settings.max_loops:
            break
        n = min(n * 4, settings.max_loops)
    while time.perf_counter() < deadline:
        loop(n)
    per_call = elapsed / n
    return max(1, min(settings.max_loops, int(settings.sample_time / max(per_call, 1e-9))))


def measure(loops: Sequence[Tuple[str, Loop]], settings: Settings) -> Result:
    """Time every ``(name, loop)`` ``settings.repeats`` times, interleaved."""
    result = Result()
    counts = {name: _calibrate(loop, settings) for name, loop in loops}
    result.loops = counts
    clock = CLOCKS[settings.clock]
    order = list(loops)
    gc_was_enabled = gc.isenabled()
    try:
        for round_index in range(settings.repeats):
            shift = round_index % len(order)
            rotated = order[shift:] + order[:shift]
            gc.collect()
            if not settings.gc:
                gc.disable()
            for name, loop in rotated:
                n = counts[name]
                start = clock()
                loop(n)
                elapsed = clock() - start
                result.samples.setdefault(name, []).append(elapsed / n)
            if gc_was_enabled:
                gc.enable()
    finally:
        if gc_was_enabled:
            gc.enable()
    return result
