"""Growth curves: per-request cost as one dimension of the configuration or request grows.

Each curve is one interleaved measurement of every size (plus the bare app
it is compared with). The cost of a size is our overhead over the bare app
(for preflights, which never reach the app: the whole time of the request).
A straight line ``cost = a + b·N`` is fitted by least squares; the curve is

* *flat* when the costs of all sizes lie within 20 % of the smallest cost
  (or within 0.1 µs) of each other, or when both the fitted growth over the
  range and the largest size's cost over the smallest's stay under that,
* *super-linear* when the slope between the two largest sizes is over twice
  the slope between the two before (and the rise is more than noise),
* *linear* otherwise, with the constant ``b`` stated (ns per unit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import competitors as c
from .targets import DISTINCT, fresh_refused, regex_options, rules_options
from .timing import Result, Settings, measure
from .wsgi import ALLOWED_ORIGIN, app_with_headers, bare_app, environ, make_loop

FLAT_SHARE = 0.2
FLAT_FLOOR = 0.1e-6


@dataclass
class Curve:
    key: str
    label: str
    unit: str
    sizes: List[int]
    #: cost per size: "overhead" (over the bare app) or "time" (the whole request)
    measure_kind: str
    #: size -> (app, environ or environs); baseline apps per size (None: the plain bare app)
    build: Callable[[int], Tuple[Any, Any]]
    bare_for: Optional[Callable[[int], Any]] = None
    result: Optional[Result] = None
    error: str = ""
    costs: Dict[int, float] = field(default_factory=dict)

    def fit(self) -> Tuple[float, float]:
        xs = [float(n) for n in self.sizes if n in self.costs]
        ys = [self.costs[n] for n in self.sizes if n in self.costs]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        var = sum((x - mean_x) ** 2 for x in xs)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / var if var else 0.0
        return mean_y - slope * mean_x, slope

    def shape(self) -> Tuple[str, str]:
        """("flat" | "linear" | "super-linear", the stated constant)."""
        if len(self.costs) < 2:
            return "n/a", ""
        sizes = [n for n in self.sizes if n in self.costs]
        _, slope = self.fit()
        smallest, largest = min(self.costs.values()), max(self.costs.values())
        spread = f"{smallest * 1e6:.2f}–{largest * 1e6:.2f} µs"
        threshold = max(FLAT_SHARE * abs(smallest), FLAT_FLOOR)
        fitted_growth = slope * (sizes[-1] - sizes[0])
        end_to_end = self.costs[sizes[-1]] - self.costs[sizes[0]]
        if largest - smallest < threshold or (fitted_growth < threshold and end_to_end < threshold):
            return "flat", f"{spread} over the whole range"
        if len(sizes) >= 3:
            def step(i: int) -> float:
                return (self.costs[sizes[i + 1]] - self.costs[sizes[i]]) / (sizes[i + 1] - sizes[i])
            last, before = step(len(sizes) - 2), step(len(sizes) - 3)
            rise = self.costs[sizes[-1]] - self.costs[sizes[-2]]
            if before > 0 and last > 2 * before and rise > max(FLAT_SHARE * abs(smallest), FLAT_FLOOR):
                return "super-linear", f"slope {last * 1e9:.2f} ns per {self.unit} at the top vs {before * 1e9:.2f}"
        return "linear", f"+{slope * 1e9:.2f} ns per {self.unit}"


def _ours(app: Any, **options: Any) -> Any:
    from wsgicors import CORSMiddleware
    return CORSMiddleware(app, **options)


def _exact(n: int) -> Tuple[Any, Any]:
    return _ours(bare_app, **c.Config("x", exact=c.exact_origins(n)).our_options()), environ(origin=ALLOWED_ORIGIN)


def _wildcards(n: int) -> Tuple[Any, Any]:
    options = c.Config("w", exact=(), wildcards=c.wildcard_patterns(n)).our_options()
    last = f"tenant{n - 1}.example.net"
    return _ours(bare_app, **options), [environ(origin=f"https://u{i}.{last}") for i in range(DISTINCT)]


def _regexes(n: int) -> Tuple[Any, Any]:
    return _ours(bare_app, **regex_options(n)), fresh_refused()


def _rules(n: int) -> Tuple[Any, Any]:
    return _ours(bare_app, **rules_options(n)), environ(origin=ALLOWED_ORIGIN)


#: short names, so that 1,000 of them fit the 8 KiB a requested-header list may have
ALLOWED_NAMES = tuple(f"h{i}" for i in range(1000))


def _requested(n: int) -> Tuple[Any, Any]:
    # 256 origins in turn (admitted by one wildcard): more than the remembered preflight
    # answers, so every request parses and checks its header list
    app = _ours(bare_app, **dict(c.BASIC.our_options(), origins=["https://*.tenant7.example.net"],
                                 allow_headers=list(ALLOWED_NAMES)))
    requested = ",".join(ALLOWED_NAMES[:n])
    return app, [environ("OPTIONS", f"https://u{i}.tenant7.example.net", "PUT", requested) for i in range(256)]


def _response_headers(n: int) -> Tuple[Any, Any]:
    return _ours(app_with_headers(n), **c.BASIC.our_options()), environ(origin=ALLOWED_ORIGIN)


def curves(smoke: bool = False) -> List[Curve]:
    def sizes(full: Sequence[int]) -> List[int]:
        return list(full[:2]) if smoke else list(full)

    return [
        Curve("exact", "exact origins (allowed GET)", "origin", sizes([1, 10, 100, 1_000, 10_000, 100_000]),
              "overhead", _exact),
        Curve("wildcards", "wildcard patterns (a new origin each call, admitted by the last pattern)", "pattern",
              sizes([1, 10, 100, 1_000, 10_000]), "overhead", _wildcards),
        Curve("regexes", "regex origins (a new refused origin each call)", "regex",
              sizes([1, 10, 100, 300, 1_000]), "overhead", _regexes),
        Curve("rules", "path rules (allowed GET matching the last rule)", "rule",
              sizes([1, 10, 100, 300, 1_000]), "overhead", _rules),
        Curve("requested", "requested header names (allowed preflight, 1,000 allowed names, answers not "
                           "remembered)", "name",
              sizes([1, 10, 100, 300, 1_000]), "time", _requested),
        Curve("response", "response headers (allowed GET)", "header", sizes([5, 50, 200, 500]), "overhead",
              _response_headers, bare_for=app_with_headers),
    ]


def run_curve(curve: Curve, settings: Settings) -> Curve:
    loops: List[Tuple[str, Callable[[int], None]]] = []
    baselines: Dict[int, str] = {}
    try:
        for n in curve.sizes:
            app, env = curve.build(n)
            first = env if isinstance(env, dict) else env[0]
            bare_env = environ(origin=first.get("HTTP_ORIGIN"))
            if curve.bare_for is not None:
                baselines[n] = f"bare@{n}"
                loops.append((baselines[n], make_loop(curve.bare_for(n), bare_env)))
            else:
                baselines[n] = "bare"
            loops.append((f"ours@{n}", make_loop(app, env)))
        if curve.bare_for is None:
            loops.insert(0, ("bare", make_loop(bare_app, environ(origin=ALLOWED_ORIGIN))))
    except Exception as error:
        curve.error = f"{type(error).__name__}: {error}"
        return curve
    curve.result = measure(loops, settings)
    for n in curve.sizes:
        if curve.measure_kind == "time":
            curve.costs[n] = curve.result.median(f"ours@{n}")
        else:
            curve.costs[n] = curve.result.overhead(f"ours@{n}", baselines[n])
    return curve


def section(curves_: Sequence[Curve]) -> List[str]:
    from .report import table
    lines = ["## Growth curves", "",
             "Per-request cost as one dimension grows, every size measured in one interleaved run "
             "(µs; overhead over the bare app, or the whole request for preflights, which never reach the app). "
             f"A line `a + b·N` is fitted: *flat* = all sizes within {FLAT_SHARE:.0%} of the smallest "
             "cost (or 0.1 µs), or the fitted growth and the largest size's cost over the smallest's both "
             "under that; *super-linear* = the last slope over twice the one before; otherwise *linear* "
             "with `b` stated.", ""]
    rows = []
    for curve in curves_:
        if curve.error or not curve.costs:
            rows.append([curve.label, f"n/a ({curve.error})", "n/a", ""])
            continue
        points = ", ".join(f"{n:,}: {curve.costs[n] * 1e6:.2f}" for n in curve.sizes)
        shape, constant = curve.shape()
        rows.append([curve.label, points, f"**{shape}**", constant])
    lines += table(["dimension", "N: µs per request", "shape", "constant"], rows)
    return lines + [""]


