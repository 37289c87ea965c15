"""Issue 16's targets: our overhead against the precomputed floor, and the slow paths.

Each target row is one *interleaved* measurement (its competitors share every
round, in rotating order, after warm-up; medians of 15 rounds) and is run
``RUNS`` times, each run from scratch: in its own fresh Python interpreter
(``python -m benchmarks.targets --row KEY --json``), which builds the row's
competitors anew, so no memo table, remembered answer or warmed state carries
from one run to the next. The runs of all rows are interleaved (every row
once, then every row again in a rotated order). The report gives the median
of the runs, their spread (lowest–highest), and the verdict on the median.

Overhead = per-request time with the middleware − time of the bare app of the
same row; a ratio divides two overheads measured in the same run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import competitors as c
from .timing import Result, Settings, measure
from .wsgi import (ALLOWED_ORIGIN, FLOOR6_TEXT, PRECOMPUTED_FLOOR_TEXT, REFUSED_ORIGIN, FloorMiddleware,
                   PrecomputedFloorMiddleware, app_with_headers, bare_app, environ, make_loop, serve_once)

#: runs per target row: the machine's speed drifts between runs (a run's ratio moved from 1.29× to 1.80×
#: on the development machine), and the median of five is not moved by one or two such runs
RUNS = 5
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: seconds one run of one row may take in its own interpreter
RUN_TIMEOUT = 600
#: more distinct origins than the per-policy origin memory holds
DISTINCT = 4096
Loop = Callable[[int], None]


@dataclass
class Row:
    """One target: how to build its loops and which overheads it divides."""

    key: str
    label: str
    limit: float
    #: (name, app, environ or environs, baseline name); the baseline's own entry has baseline None
    build: Callable[[], List[Tuple[str, Any, Any, Optional[str]]]]
    mine: str
    theirs: str
    #: further (name, name) overhead ratios shown beside the target one
    extra: Sequence[Tuple[str, str]] = ()
    note: str = ""
    #: also report ``mine − theirs`` in µs (the floor rows: preflight ratios are ill-conditioned)
    difference: bool = False


@dataclass
class RowResult:
    row: Row
    runs: List[Result] = field(default_factory=list)
    baselines: Dict[str, str] = field(default_factory=dict)
    answers: Dict[str, str] = field(default_factory=dict)
    error: str = ""
    #: the process id of the interpreter each run was measured in
    pids: List[int] = field(default_factory=list)

    def overheads(self, name: str) -> List[float]:
        return [run.overhead(name, self.baselines[name]) for run in self.runs]

    def ratios(self, mine: str, theirs: str) -> List[float]:
        out = []
        for run in self.runs:
            own, other = run.overhead(mine, self.baselines[mine]), run.overhead(theirs, self.baselines[theirs])
            out.append(own / other if other > 0 else float("inf"))
        return out

    def differences(self, mine: str, theirs: str) -> List[float]:
        """``mine``'s overhead − ``theirs``'s, seconds per call, one per run."""
        return [run.overhead(mine, self.baselines[mine]) - run.overhead(theirs, self.baselines[theirs])
                for run in self.runs]


def _ours(app: Any, **options: Any) -> Any:
    from wsgicors import CORSMiddleware
    return CORSMiddleware(app, **options)


def _basic(app: Any = bare_app) -> Any:
    return _ours(app, **c.BASIC.our_options())


def _floors(env: Dict[str, Any]) -> List[Tuple[str, Any, Any, Optional[str]]]:
    return [("bare", bare_app, env, None),
            ("floor16", PrecomputedFloorMiddleware(bare_app, c.BASIC.exact), env, "bare"),
            ("floor6", FloorMiddleware(bare_app, c.BASIC.exact), env, "bare"),
            ("ours", _basic(), env, "bare")]


def _floor_row(key: str, label: str, limit: float, env: Dict[str, Any], note: str = "") -> Row:
    return Row(key, label, limit, lambda: _floors(env), "ours", "floor16", extra=(("ours", "floor6"),),
               difference=True, note=note)


def _fresh_origin_row() -> Row:
    # 1 exact origin + 1 wildcard pattern; the cached GET repeats one wildcard-admitted origin,
    # the other sends a different wildcard-admitted origin each time (more than the memory holds)
    options = dict(c.BASIC.our_options(), origins=[ALLOWED_ORIGIN, "https://*.tenant7.example.net"])
    fresh = [environ(origin=f"https://u{i}.tenant7.example.net") for i in range(DISTINCT)]
    cached = environ(origin="https://u1.tenant7.example.net")

    def build() -> List[Tuple[str, Any, Any, Optional[str]]]:
        return [("bare", bare_app, cached, None), ("cached", _ours(bare_app, **options), cached, "bare"),
                ("fresh", _ours(bare_app, **options), fresh, "bare")]

    return Row("fresh", "a new origin every request (memo defeated) vs the cached GET", 1.5, build, "fresh",
               "cached", note=(
                   "1 exact + 1 wildcard pattern; origins admitted by the wildcard. A new origin is decided and "
                   "its answer built and remembered in one C call (PolicyState.remembered); the pure-Python "
                   "path (WSGICORS_PURE_PYTHON=1) measured about 2.4× on the development machine"))


def _pyramid_row() -> Row:
    env = environ(origin=ALLOWED_ORIGIN)

    def build() -> List[Tuple[str, Any, Any, Optional[str]]]:
        bare = c.pyramid_bare(c.BASIC)
        return [("bare", bare, env, None), ("middleware", _basic(c.pyramid_bare(c.BASIC)), env, "bare"),
                ("tween", c.pyramid_tween(c.BASIC), env, "bare")]

    return Row("pyramid", "Pyramid tween vs `CORSMiddleware` around the same Pyramid app (allowed GET)", 1.5,
               build, "tween", "middleware", note=(
                   "with the C parts built, the tween's actual-request path is C as well "
                   "(adapters/pyramid_wsgicors/_speedups.c): one call around the handler that appends the "
                   "remembered tail to WebOb's header list. WebOb then copies the two added headers when it sends "
                   "the response, which the middleware, adding them inside start_response, does not pay. In "
                   "Python only (WSGICORS_PURE_PYTHON=1) both are slower and the tween measured 0.9–1.2× the "
                   "middleware on the development machine"))


def rules_options(count: int) -> Dict[str, Any]:
    """``count`` rules, the request path (``/api/data``) matching only the last one."""
    from wsgicors import Policy
    policy = Policy(**c.BASIC.our_options())
    rules = [(f"/svc{i}/*" if i % 2 else f"/svc{i}/items", policy) for i in range(count - 1)]
    rules.append(("/api/*", policy))
    return {"rules": rules}


def _rules_row() -> Row:
    env = environ(origin=ALLOWED_ORIGIN)

    def build() -> List[Tuple[str, Any, Any, Optional[str]]]:
        return [("bare", bare_app, env, None), ("single", _basic(), env, "bare"),
                ("rules50", _ours(bare_app, **rules_options(50)), env, "bare")]

    return Row("rules", "50 path rules, request matching the last, vs one policy", 1.5, build, "rules50", "single")


def regex_options(count: int) -> Dict[str, Any]:
    return dict(c.BASIC.our_options(),
                origins=[re.compile(rf"https://r{i}\.example\.org") for i in range(count)])


def fresh_refused() -> List[Dict[str, Any]]:
    return [environ(origin=f"https://a{i}.evil{i}.example.com") for i in range(DISTINCT)]


def _regex_row() -> Row:
    envs = fresh_refused()

    def build() -> List[Tuple[str, Any, Any, Optional[str]]]:
        return [("bare", bare_app, envs, None), ("regex1", _ours(bare_app, **regex_options(1)), envs, "bare"),
                ("regex1000", _ours(bare_app, **regex_options(1000)), envs, "bare")]

    return Row("regex", "1,000 regex origins vs 1 (a new refused origin each call)", 3, build, "regex1000", "regex1")


def _headers_row() -> Row:
    env = environ(origin=ALLOWED_ORIGIN)

    def build() -> List[Tuple[str, Any, Any, Optional[str]]]:
        app5, app50 = app_with_headers(5), app_with_headers(50)
        return [("bare5", app5, env, None), ("bare50", app50, env, None),
                ("ours5", _basic(app5), env, "bare5"), ("ours50", _basic(app50), env, "bare50")]

    return Row("headers", "a response with 50 headers vs 5 (allowed GET)", 1.5, build, "ours50", "ours5",
               note=("wsgicors reads every response header name (one merged Vary, and only the policy's "
                     "Access-Control-* headers), the floors read none; at c per name and a fixed overhead F the "
                     "ratio is (F + 50c) / (F + 5c), at most 1.5 only when c is at most F / 85. The C code reads "
                     "a name in about 1–2 ns (a name seen before is recognised by its address); the pure-Python "
                     "loop (WSGICORS_PURE_PYTHON=1) costs 20–30 ns a name, about 2.7× on the development machine"))


def rows() -> List[Row]:
    preflight = environ("OPTIONS", ALLOWED_ORIGIN, "PUT", "content-type,x-request-id")
    refused = environ("OPTIONS", REFUSED_ORIGIN, "PUT", "content-type")
    return [
        _floor_row("allowed", "allowed actual GET", 1.3, environ(origin=ALLOWED_ORIGIN)),
        _floor_row("preflight", "allowed preflight", 1.5, preflight),
        _floor_row("refused_preflight", "refused preflight", 1.5, refused, note=(
            "ours − floor is about a tenth of a microsecond: wsgicors hands each refusal a copy of its "
            "remembered header list (a server may extend the list it is given; the floor hands out one list "
            "object every time), and checks for Access-Control-Request-Private-Network (whose presence "
            "changes the refusal's Vary) and for the environ key wsgicors.owner")),
        _fresh_origin_row(), _pyramid_row(), _rules_row(), _regex_row(), _headers_row(),
    ]


def measure_row(row: Row, settings: Settings) -> Dict[str, Any]:
    """One run of ``row`` in this interpreter: build its competitors, check each answers, measure once.

    Returns what :func:`run_rows` needs as plain JSON-able data.
    """
    import wsgicors
    record: Dict[str, Any] = {"row": row.key, "pid": os.getpid(), "wsgicors": os.path.abspath(wsgicors.__file__),
                              "baselines": {}, "answers": {}, "samples": {}, "loops": {}, "error": ""}
    try:
        entries = row.build()
    except Exception as error:  # an adapter mid-construction must not crash the suite
        record["error"] = f"{type(error).__name__}: {error}"
        return record
    loops: List[Tuple[str, Loop]] = []
    for name, app, env, baseline in entries:
        record["baselines"][name] = baseline or name
        first = env if isinstance(env, dict) else env[0]
        try:
            from .suites import describe_answer
            record["answers"][name] = describe_answer(*serve_once(app, first))
        except Exception as error:
            record["error"] = f"{name}: {type(error).__name__}: {error}"
            return record
        loops.append((name, make_loop(app, env)))
    result = measure(loops, settings)
    record["samples"], record["loops"] = result.samples, result.loops
    return record


def run_once(row: Row, settings: Settings) -> Dict[str, Any]:
    """One run of ``row`` from scratch: a fresh interpreter runs :func:`measure_row` and prints it as JSON."""
    command = [sys.executable, "-m", "benchmarks.targets", "--row", row.key, "--json",
               "--settings", json.dumps(dataclasses.asdict(settings))]
    try:
        completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT,
                                   stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as error:
        return {"error": f"{type(error).__name__}: {error}"}
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        tail = (completed.stderr.strip().splitlines() or [f"exit status {completed.returncode}"])[-1]
        return {"error": f"run in a fresh interpreter failed: {tail}"}
    record: Dict[str, Any] = json.loads(lines[-1])
    here = sys.modules.get("wsgicors")
    if here is not None and os.path.abspath(here.__file__ or "") != record.get("wsgicors"):
        record["error"] = (f"the fresh interpreter imported wsgicors from {record.get('wsgicors')}, "
                           f"this one from {here.__file__}")
    return record


def run_rows(rows: Sequence[Row], settings: Settings, runs: int = RUNS,
             log: Optional[Callable[[str], None]] = None) -> List[RowResult]:
    """Run every row ``runs`` times, each run in its own fresh interpreter.

    The runs are interleaved across rows: every row once, then every row again
    with the order rotated by one, so a slow drift of the machine does not fall
    on one row's runs. A row whose run fails is not run again; it reports why.
    """
    results = [RowResult(row) for row in rows]
    for run_index in range(runs):
        shift = run_index % len(results) if results else 0
        for result in results[shift:] + results[:shift]:
            if result.error:
                continue
            if log is not None:
                log(f"targets: {result.row.label} (run {run_index + 1} of {runs}, fresh interpreter)")
            record = run_once(result.row, settings)
            if record.get("baselines"):
                result.baselines, result.answers = record["baselines"], record["answers"]
            if record.get("error"):
                result.error = record["error"]
                continue
            result.runs.append(Result(samples=record["samples"], loops=record["loops"]))
            result.pids.append(record["pid"])
    return results


def run_row(row: Row, settings: Settings, runs: int = RUNS) -> RowResult:
    """``runs`` runs of one row, each in its own fresh interpreter."""
    return run_rows([row], settings, runs)[0]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m benchmarks.targets --row KEY --json``: one run of one row, printed as JSON (internal)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.targets",
                                     description="One run of one issue-16 target row in this interpreter "
                                                 "(python -m benchmarks starts one per run).")
    every = rows()
    parser.add_argument("--row", required=True, choices=[row.key for row in every])
    parser.add_argument("--json", action="store_true", required=True, help="print the run as one JSON line")
    parser.add_argument("--settings", default="{}", help="timing.Settings fields as JSON")
    args = parser.parse_args(argv)
    settings = Settings(**json.loads(args.settings))
    row = next(row for row in every if row.key == args.row)
    print(json.dumps(measure_row(row, settings)))
    return 0


# -- import cost ---------------------------------------------------------------------

#: what the request path never needs: configuration checks, reports, tooling
NOT_ON_REQUEST_PATH = ("difflib", "ipaddress", "dataclasses", "json", "argparse", "unicodedata", "inspect",
                       "http.client", "email", "urllib.request", "wsgiref")

_IMPORT_PROBE = """
import importlib.util, os, sys, time
spec = importlib.util.find_spec("wsgicors")
cached = bool(spec.cached) and os.path.exists(spec.cached)
before = set(sys.modules)
start = time.perf_counter()
import wsgicors
elapsed = time.perf_counter() - start
new = sorted(set(sys.modules) - before)
print(repr((elapsed, new, cached)))
"""


@dataclass
class ImportCost:
    """``import wsgicors`` in fresh interpreters.

    ``first``: one interpreter started as this one was, before any other probe:
    it compiles wsgicors's sources when no bytecode is cached for them
    (``first_cached`` says whether it was). ``seconds``: interpreters with the
    bytecode of everything they import cached (a temporary
    ``PYTHONPYCACHEPREFIX``, warmed by one untimed interpreter first), as for
    an installed package.
    """

    seconds: List[float] = field(default_factory=list)
    modules: List[str] = field(default_factory=list)
    first: Optional[float] = None
    first_cached: Optional[bool] = None
    error: str = ""

    @property
    def unneeded(self) -> List[str]:
        return [m for m in self.modules if m in NOT_ON_REQUEST_PATH or m.split(".")[0] in NOT_ON_REQUEST_PATH]


def _probe(env: Dict[str, str]) -> Tuple[float, List[str], bool]:
    completed = subprocess.run([sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True,
                               timeout=60, stdin=subprocess.DEVNULL, env=env)
    return eval(completed.stdout.strip().splitlines()[-1])  # our own probe's repr


def import_cost(runs: int = 5) -> ImportCost:
    """``import wsgicors`` in fresh interpreters: time and the modules it loads.

    First one interpreter in this process's environment (it may compile), then
    one untimed interpreter that writes every module's bytecode into a
    temporary ``PYTHONPYCACHEPREFIX`` (so nothing is written into the source
    tree, writable or not), then ``runs`` interpreters that read it. The
    temporary directory is removed.
    """
    cost = ImportCost()
    prefix = tempfile.mkdtemp(prefix="wsgicors-bench-pycache-")
    cached_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cached_env["PYTHONPYCACHEPREFIX"] = prefix
    try:
        cost.first, modules, cost.first_cached = _probe(dict(os.environ))
        _probe(cached_env)  # warm-up: writes the bytecode
        for _ in range(runs):
            elapsed, modules, _cached = _probe(cached_env)
            cost.seconds.append(elapsed)
        cost.modules = modules
    except Exception as error:
        cost.error = f"{type(error).__name__}: {error}"
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
    return cost


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# -- report ----------------------------------------------------------------------------

def _us(seconds: float) -> str:
    return ("+" if seconds >= 0 else "−") + f"{abs(seconds) * 1e6:.2f}"


def target_rows(results: Sequence[RowResult], imports: Optional[ImportCost], smoke: bool) -> List[List[str]]:
    out: List[List[str]] = []
    for result in results:
        row = result.row
        if result.error or not result.runs:
            out.append([row.label, f"n/a ({result.error or 'not run'})", "", f"≤ {row.limit:g}×", "n/a"])
            continue
        ratios = result.ratios(row.mine, row.theirs)
        figure = median(ratios)
        own, other = median(result.overheads(row.mine)), median(result.overheads(row.theirs))
        text = f"{figure:.2f}× ({_us(own)} µs vs {_us(other)} µs)"
        if row.difference:
            differences = result.differences(row.mine, row.theirs)
            text += (f"; ours − floor: {_us(median(differences))} µs "
                     f"({_us(min(differences))} to {_us(max(differences))} µs over the runs)")
        for mine, theirs in row.extra:
            text += f"; ÷ issue-6 floor: {median(result.ratios(mine, theirs)):.2f}×"
        spread = f"{min(ratios):.2f}–{max(ratios):.2f}× over {len(ratios)} run{'s' if len(ratios) != 1 else ''}"
        verdict = "— (smoke mode)" if smoke else ("**met**" if figure <= row.limit else "**not met**")
        out.append([row.label, text, spread, f"≤ {row.limit:g}×", verdict])
    if imports is not None:
        if imports.error:
            out.append(["`import wsgicors`", f"n/a ({imports.error})", "", "only what the request path needs",
                        "n/a"])
        else:
            seconds = sorted(imports.seconds)
            unneeded = imports.unneeded
            first = "n/a" if imports.first is None else f"{imports.first * 1000:.1f} ms"
            compiled = ("its bytecode was already cached" if imports.first_cached else
                        "no bytecode cached: it compiled wsgicors's sources")
            text = (f"{median(seconds) * 1000:.1f} ms with bytecode cached; the first fresh interpreter "
                    f"{first} ({compiled}); {len(imports.modules)} modules loaded"
                    + (f"; not needed per request: {', '.join(unneeded)}" if unneeded else
                       "; none of " + ", ".join(NOT_ON_REQUEST_PATH[:6]) + "…"))
            spread = (f"{seconds[0] * 1000:.1f}–{seconds[-1] * 1000:.1f} ms over {len(seconds)} fresh "
                      "interpreters with bytecode cached")
            verdict = "— (smoke mode)" if smoke else ("**met**" if not unneeded else "**not met**")
            out.append(["`import wsgicors`", text, spread, "only what the request path needs at import", verdict])
    return out


def section(results: Sequence[RowResult], imports: Optional[ImportCost], smoke: bool) -> List[str]:
    from .report import table
    runs = max((len(result.runs) for result in results), default=RUNS)
    lines = ["## Targets (issue 16)", "",
             f"Overhead ratios. Each row is run {runs} time{'s' if runs != 1 else ''}, each run from scratch in its own fresh Python "
             "interpreter (`python -m benchmarks.targets --row KEY --json`), which builds the row's competitors "
             "anew: no memo table, remembered answer or warmed state carries from one run to the next. The runs "
             "of all rows are interleaved (every row once, then again in a rotated order). Inside a run the "
             "competitors are interleaved (warm-up, rotating order, medians of rounds). The figure is the median "
             "of the runs, the spread their lowest and highest; the verdict is on the median.",
             "",
             "*floor* here is the **issue-16 floor** (`benchmarks/wsgi.py: PrecomputedFloorMiddleware`), which "
             f"{PRECOMPUTED_FLOOR_TEXT}. The ratio to the older, costlier **issue-6 floor** (`FloorMiddleware`, "
             f"which {FLOOR6_TEXT}) is shown beside it.",
             "",
             "A preflight never reaches the bare app its overhead is measured against, so the preflight rows "
             "divide two sub-microsecond differences: those ratios are ill-conditioned and move between runs. "
             "The floor rows therefore also give ours − floor in µs (median and range over the runs), the more "
             "robust figure.",
             "",
             "`import wsgicors`: the first fresh interpreter, as started here (it compiles wsgicors's sources "
             "when no bytecode is cached), and fresh interpreters with every module's bytecode cached (a "
             "temporary `PYTHONPYCACHEPREFIX` warmed by one untimed interpreter, then removed), as for an "
             "installed package; the verdict is on the modules loaded.",
             ""]
    lines += table(["request", "figure (median run)", "spread", "target", "verdict"],
                   target_rows(results, imports, smoke))
    notes = [f"- {r.row.label}: {r.row.note}" for r in results if r.row.note]
    answers = []
    for result in results:
        if result.answers:
            answers.append(f"- {result.row.label}: " + "; ".join(f"{k} {v}" for k, v in result.answers.items()))
    lines += [""] + notes + ["", "What each competitor answered (status, ACAO present, Vary names Origin):", ""]
    lines += answers
    if imports is not None and imports.modules:
        lines += ["", f"Modules `import wsgicors` loads: {', '.join(imports.modules)}."]
    return lines + [""]


if __name__ == "__main__":
    sys.exit(main())
