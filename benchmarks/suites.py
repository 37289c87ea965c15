"""What is measured: scenarios × competitors, grouped so rivals share each round."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import competitors as c
from .timing import Result, Settings, measure
from .wsgi import ALLOWED_ORIGIN, REFUSED_ORIGIN, environ, make_loop, serve_once


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    config: c.Config
    env: Dict[str, Any] = field(hash=False)


SCENARIOS: Tuple[Scenario, ...] = (
    Scenario("no_origin", "request without Origin", c.BASIC, environ()),
    Scenario("allowed", "allowed actual GET", c.BASIC, environ(origin=ALLOWED_ORIGIN)),
    Scenario("refused", "disallowed actual GET", c.BASIC, environ(origin=REFUSED_ORIGIN)),
    Scenario("preflight", "allowed preflight", c.BASIC,
             environ("OPTIONS", ALLOWED_ORIGIN, "PUT", "content-type,x-request-id")),
    Scenario("refused_preflight", "refused preflight", c.BASIC,
             environ("OPTIONS", REFUSED_ORIGIN, "PUT", "content-type")),
    Scenario("credentials", "credentials + exposed headers, allowed GET", c.CREDENTIALS,
             environ(origin=ALLOWED_ORIGIN)),
)


@dataclass
class Cell:
    """One competitor in one scenario: its answer and its timings (or why it is n/a)."""

    answer: str = ""
    missing: str = ""


@dataclass
class GroupResult:
    key: str
    title: str
    baseline: str
    labels: Dict[str, str]
    rows: List[Tuple[Scenario, Result, Dict[str, Cell]]] = field(default_factory=list)
    #: (competitor, reference) pairs whose overhead ratio gets a column
    ratios: Sequence[Tuple[str, str]] = ()


def describe_answer(status: str, headers: Dict[str, List[str]]) -> str:
    """``204, ACAO`` style summary used to show each competitor did the CORS work."""
    code = status.split(" ", 1)[0]
    acao = headers.get("access-control-allow-origin")
    vary = ", ".join(headers.get("vary", []))
    parts = [code]
    if acao:
        parts.append("ACAO" if len(acao) == 1 else f"ACAO×{len(acao)}")
    if "origin" in vary.lower():
        parts.append("Vary" if len(headers.get("vary", [])) == 1 else f"Vary×{len(headers['vary'])}")
    return " ".join(parts)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def warm_up(settings: Settings, seconds: float = 0.5) -> None:
    """Run the cheapest loops untimed first, so the first group is not measured cold."""
    if settings.fixed_loops is not None:
        return
    env = environ(origin=ALLOWED_ORIGIN)
    loops = [make_loop(c.bare(c.BASIC), env), make_loop(c.ours(c.BASIC), env)]
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for loop in loops:
            loop(1000)


def run_group(key: str, title: str, entries: Sequence[c.Competitor], settings: Settings,
              scenarios: Sequence[Scenario] = SCENARIOS, ratios: Sequence[Tuple[str, str]] = ()) -> GroupResult:
    """Measure ``entries`` (first = baseline) on every scenario, interleaved per scenario."""
    group = GroupResult(key, title, entries[0].key, {e.key: e.label for e in entries}, ratios=ratios)
    for scenario in scenarios:
        loops: List[Tuple[str, Callable[[int], None]]] = []
        cells: Dict[str, Cell] = {}
        for entry in entries:
            cell = cells[entry.key] = Cell()
            try:
                app = entry.app(scenario.config)
            except c.Unavailable as error:
                cell.missing = str(error)
                continue
            try:
                cell.answer = describe_answer(*serve_once(app, scenario.env))
            except Exception as error:  # an adapter mid-construction must not crash the suite
                cell.missing = f"{type(error).__name__}: {error}"
                continue
            loops.append((entry.key, make_loop(app, scenario.env)))
        log(f"  {title}: {scenario.label} ({len(loops)} competitors)")
        result = measure(loops, settings) if loops else Result()
        group.rows.append((scenario, result, cells))
    return group


# -- origin-count scaling --------------------------------------------------------

SCALE_CONFIGS: Tuple[Tuple[str, c.Config], ...] = (
    ("1 exact", c.Config("n1")),
    ("100 exact", c.Config("n100", exact=c.exact_origins(100))),
    ("10,000 exact", c.Config("n10000", exact=c.exact_origins(10_000))),
    ("10,000 exact + 1,000 wildcard", c.Config("n10000w1000", exact=c.exact_origins(10_000),
                                               wildcards=c.wildcard_patterns(1_000))),
)
LARGE = SCALE_CONFIGS[-1][0]


WILDCARD_ROW = LARGE + " (wildcard entry)"


@dataclass
class ScaleResult:
    request: str
    result: Result
    #: (row label, competitor key) -> loop name; answers by loop name; n/a reasons
    names: Dict[Tuple[str, str], str] = field(default_factory=dict)
    answers: Dict[str, str] = field(default_factory=dict)
    missing: Dict[Tuple[str, str], str] = field(default_factory=dict)
    rows: List[str] = field(default_factory=list)
    #: row -> the row its "ours vs" ratio is taken against (default: the first row)
    references: Dict[str, str] = field(default_factory=dict)

    def reference(self, row: str) -> str:
        return self.references.get(row, self.rows[0])


#: more distinct origins than any per-origin cache holds (0.7: 200; ours: see origins.py)
DISTINCT = 4096
FRESH = "new origin every request"
SMALL_WILDCARD = "1 exact + 1 wildcard"


def run_scaling(old: c.Competitor, flask_cors: c.Competitor, settings: Settings) -> List[ScaleResult]:
    """Allowed and disallowed requests against growing origin lists, one round for all."""
    ours = c.Competitor("ours", "wsgicors (this)", c.ours)
    bare = c.Competitor("bare", "bare WSGI app", c.bare)
    flask_bare = c.Competitor("flask", "bare Flask", c.flask_bare)
    large = SCALE_CONFIGS[-1][1]
    fresh_refused = tuple(f"https://a{i}.evil{i}.example.com" for i in range(DISTINCT))
    fresh_wildcard = tuple(f"https://u{i}.tenant7.example.net" for i in range(DISTINCT))
    small = c.Config("n1w1", wildcards=(("https", "tenant7.example.net"),))
    Row = Tuple[str, c.Config, Tuple[str, ...]]
    Plan = Tuple[str, Tuple[str, ...], List[Row], Tuple[c.Competitor, ...]]
    allowed_rows: List[Row] = [(label, config, (ALLOWED_ORIGIN,)) for label, config in SCALE_CONFIGS]
    allowed_rows.append((WILDCARD_ROW, large, (c.WILDCARD_HIT,)))
    refused_rows: List[Row] = [(label, config, (REFUSED_ORIGIN,)) for label, config in SCALE_CONFIGS]
    fresh_rows: List[Row] = [(SMALL_WILDCARD + ", disallowed", small, fresh_refused),
                             (LARGE + ", disallowed", large, fresh_refused),
                             (SMALL_WILDCARD + ", wildcard entry", small, fresh_wildcard),
                             (LARGE + ", wildcard entry", large, fresh_wildcard)]
    plans: List[Plan] = [
        ("allowed", (ALLOWED_ORIGIN,), allowed_rows, (ours, old, flask_cors)),
        ("disallowed", (REFUSED_ORIGIN,), refused_rows, (ours, old, flask_cors)),
        (FRESH, fresh_refused, fresh_rows, (ours, old)),
    ]
    results: List[ScaleResult] = []
    for request_label, baseline_origins, rows, rivals in plans:
        scale = ScaleResult(request_label, Result())
        loops: List[Tuple[str, Callable[[int], None]]] = []

        def add(row: str, competitor: c.Competitor, config: c.Config, origins: Tuple[str, ...]) -> None:
            envs = [environ(origin=origin) for origin in origins]
            name = f"{competitor.key}@{row}"
            try:
                app = competitor.app(config)
                scale.answers[name] = describe_answer(*serve_once(app, envs[0]))
            except Exception as error:
                scale.missing[(row, competitor.key)] = str(error)
                return
            scale.names[(row, competitor.key)] = name
            loops.append((name, make_loop(app, envs[0] if len(envs) == 1 else envs)))

        add("-", bare, c.BASIC, baseline_origins)
        if flask_cors in rivals:
            add("-", flask_bare, c.BASIC, baseline_origins)
        for row, config, origins in rows:
            scale.rows.append(row)
            for competitor in rivals:
                add(row, competitor, config, origins)
        if request_label == FRESH:
            for row in (SMALL_WILDCARD + ", wildcard entry", LARGE + ", wildcard entry"):
                scale.references[row] = SMALL_WILDCARD + ", wildcard entry"
        log(f"  origin scaling: {request_label} ({len(loops)} loops)")
        scale.result = measure(loops, settings)
        results.append(scale)
    return results


def find(scales: Sequence[ScaleResult], request: str) -> Optional[ScaleResult]:
    return next((scale for scale in scales if scale.request == request), None)
