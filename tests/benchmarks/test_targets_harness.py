"""The issue-16 target harness: fresh interpreters per run, what the report says the floor does, GC, imports."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks import targets  # noqa: E402
from benchmarks.timing import Result, Settings, measure  # noqa: E402
from benchmarks.wsgi import (PRECOMPUTED_FLOOR_TEXT, PrecomputedFloorMiddleware, environ,  # noqa: E402
                             serve_once)

pytestmark = pytest.mark.benchmarks
ORIGIN = "https://app.example.com"


def row(key: str) -> targets.Row:
    return next(r for r in targets.rows() if r.key == key)


# -- each run from scratch -------------------------------------------------------------

def test_each_run_of_a_target_row_is_measured_in_its_own_fresh_interpreter() -> None:
    result = targets.run_row(row("allowed"), Settings.smoke(), runs=2)
    assert result.error == ""
    assert len(result.runs) == 2 and len(result.pids) == 2
    assert len(set(result.pids)) == 2 and os.getpid() not in result.pids
    assert set(result.runs[0].samples) == {"bare", "floor16", "floor6", "ours"}
    assert result.answers["ours"] == "200 ACAO Vary"


def test_the_runs_of_all_rows_are_interleaved_with_the_row_order_rotated(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[str] = []

    def fake_run_once(r: targets.Row, settings: Settings) -> Dict[str, Any]:
        calls.append(r.key)
        return {"pid": len(calls), "baselines": {"a": "a"}, "answers": {"a": "200"},
                "samples": {"a": [1.0]}, "loops": {"a": 1}, "error": ""}

    monkeypatch.setattr(targets, "run_once", fake_run_once)
    rows = [row("allowed"), row("preflight"), row("refused_preflight")]
    results = targets.run_rows(rows, Settings.smoke(), runs=3)
    assert calls == ["allowed", "preflight", "refused_preflight", "preflight", "refused_preflight", "allowed",
                     "refused_preflight", "allowed", "preflight"]
    assert [len(r.runs) for r in results] == [3, 3, 3]


def test_a_run_that_fails_in_its_interpreter_is_reported_not_raised() -> None:
    unknown = targets.Row("no-such-row", "unknown", 1.5, lambda: [], "ours", "floor16")
    result = targets.run_row(unknown, Settings.smoke(), runs=2)
    assert result.runs == [] and "fresh interpreter failed" in result.error and "invalid choice" in result.error
    cells = targets.target_rows([result], None, smoke=True)
    assert cells[0][1].startswith("n/a (")


# -- the report --------------------------------------------------------------------------

def synthetic(ours: float, floor: float) -> targets.RowResult:
    """A floor row whose overheads over the bare app are ``ours`` and ``floor`` µs in every round."""
    result = targets.RowResult(row("preflight"))
    result.baselines = {"bare": "bare", "floor16": "bare", "floor6": "bare", "ours": "bare"}
    for shift in (0.0, 0.05e-6, 0.25e-6):
        samples = {"bare": [1e-6] * 3, "floor16": [1e-6 + floor * 1e-6] * 3, "floor6": [1e-6 + floor * 2e-6] * 3,
                   "ours": [1e-6 + ours * 1e-6 + shift] * 3}
        result.runs.append(Result(samples=samples))
    return result


def test_floor_rows_give_the_difference_of_the_overheads_beside_the_ratio() -> None:
    cells = targets.target_rows([synthetic(0.30, 0.25)], None, smoke=False)
    figure = cells[0][1]
    assert figure.startswith("1.40× (+0.35 µs vs +0.25 µs)")
    assert "ours − floor: +0.10 µs (+0.05 to +0.30 µs over the runs)" in figure
    # rows that do not divide by the floor have no such column
    other = targets.RowResult(row("rules"), baselines={"bare": "bare", "single": "bare", "rules50": "bare"},
                              runs=[Result(samples={"bare": [1e-6], "single": [2e-6], "rules50": [2.5e-6]})])
    assert "ours − floor" not in targets.target_rows([other], None, smoke=False)[0][1]


def test_the_report_describes_runs_floor_conditioning_and_imports_as_the_code_does() -> None:
    text = "\n".join(targets.section([synthetic(0.30, 0.25)], None, smoke=False))
    assert "own fresh Python interpreter" in text and "python -m benchmarks.targets --row KEY" in text
    assert PRECOMPUTED_FLOOR_TEXT in text
    assert "without copying" not in text and "appends without" not in text
    assert "`headers + add`" in text and "ill-conditioned" in text
    assert "PYTHONPYCACHEPREFIX" in text


# -- the floor does what the text says -------------------------------------------------

def test_the_issue16_floor_does_what_its_text_says() -> None:
    assert "headers + add" in PRECOMPUTED_FLOOR_TEXT and "dict" in PRECOMPUTED_FLOOR_TEXT
    assert "same header list object" in PRECOMPUTED_FLOOR_TEXT and "not checked" in PRECOMPUTED_FLOOR_TEXT
    app_headers = [("Content-Type", "text/plain")]
    seen: List[Any] = []

    def app(env: Dict[str, Any], start_response: Any) -> List[bytes]:
        start_response("200 OK", app_headers)
        return [b""]

    def server(status: str, headers: Any, exc_info: Any = None) -> None:
        seen.append((status, headers))

    floor = PrecomputedFloorMiddleware(app, [ORIGIN])
    # actual requests: a copy of the app's list plus ACAO + Vary, or Vary alone; the app's list untouched
    for origin, added in ((ORIGIN, [("Access-Control-Allow-Origin", ORIGIN), ("Vary", "Origin")]),
                          ("https://evil.example.com", [("Vary", "Origin")]), (None, [("Vary", "Origin")])):
        floor(environ(origin=origin), server)
        status, headers = seen.pop()
        assert headers == app_headers + added and headers is not app_headers
    assert app_headers == [("Content-Type", "text/plain")]
    # a refused preflight: a precomputed 403, the same list object every time
    refused = environ("OPTIONS", "https://evil.example.com", "PUT")
    floor(refused, server)
    floor(refused, server)
    (first_status, first), (second_status, second) = seen[-2:]
    assert first_status == second_status == "403 Forbidden" and first is second
    # an allowed preflight: a new list; the requested names echoed verbatim; the method not checked
    status, headers = serve_once(floor, environ("OPTIONS", ORIGIN, "FROBNICATE", "X-B,  x-a"))
    assert status == "204 No Content" and headers["access-control-allow-headers"] == ["X-B,  x-a"]
    assert isinstance(floor.preflight, dict) and isinstance(floor.actual, dict)
    doc = PrecomputedFloorMiddleware.__doc__ or ""
    assert "headers + add" in doc and "without copying" not in doc


# -- the garbage collector ---------------------------------------------------------------

@pytest.mark.parametrize("keep_on", [False, True])
def test_the_collector_is_paused_while_timing_unless_asked_to_stay_on(keep_on: bool) -> None:
    states: List[bool] = []

    def loop(n: int) -> None:
        states.append(gc.isenabled())

    settings = Settings.smoke()
    settings.gc = keep_on
    assert gc.isenabled()
    measure([("x", loop)], settings)
    assert states and set(states) == {keep_on}
    assert gc.isenabled()


def test_the_report_header_says_what_the_collector_does() -> None:
    from benchmarks import report, socket_level
    for keep_on, expected in ((False, "is paused while it is timed"), (True, "stays on while it is timed")):
        settings = Settings.smoke()
        settings.gc = keep_on
        text = report.render(report.Inputs(
            command="python -m benchmarks", smoke=True, settings=settings, groups=[], scaling=[],
            sockets=socket_level.SocketResult(error="skipped"), old_version="", old_reason="not loaded",
            elapsed=0.0))
        assert expected in text and "independent benchmark" in text


# -- import wsgicors --------------------------------------------------------------------

def test_import_cost_times_the_first_interpreter_and_ones_with_bytecode_cached(
        monkeypatch: pytest.MonkeyPatch) -> None:
    made: List[str] = []
    real_mkdtemp = targets.tempfile.mkdtemp

    def mkdtemp(**kwargs: Any) -> str:
        made.append(real_mkdtemp(**kwargs))
        return made[-1]

    monkeypatch.setattr(targets.tempfile, "mkdtemp", mkdtemp)
    cost = targets.import_cost(runs=2)
    assert cost.error == ""
    assert cost.first is not None and cost.first > 0 and isinstance(cost.first_cached, bool)
    assert len(cost.seconds) == 2 and "wsgicors" in cost.modules
    assert made and not os.path.exists(made[0])  # the temporary bytecode cache is removed
    cells = targets.target_rows([], cost, smoke=False)
    assert "with bytecode cached; the first fresh interpreter" in cells[0][1]
    assert "over 2 fresh interpreters with bytecode cached" in cells[0][2]
