"""BENCHMARKS.md: machine, command, targets, and one table per comparison."""

from __future__ import annotations

import datetime
import importlib
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .socket_level import SocketResult
from .suites import DISTINCT, FRESH, LARGE, SMALL_WILDCARD, WILDCARD_ROW, GroupResult, ScaleResult, find
from .timing import Result, Settings

US = 1e6
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Inputs:
    command: str
    smoke: bool
    settings: Settings
    groups: List[GroupResult]
    scaling: List[ScaleResult]
    sockets: SocketResult
    old_version: str
    old_reason: str
    elapsed: float
    #: issue 16: target rows (targets.RowResult), import cost, growth curves
    targets: List[Any] = field(default_factory=list)
    imports: Any = None
    curves: List[Any] = field(default_factory=list)


# -- machine ----------------------------------------------------------------------

def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(distribution: str) -> str:
    try:
        from importlib.metadata import version
        return version(distribution)
    except Exception:
        return "not installed"


def _git_commit() -> str:
    try:
        completed = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                   text=True, timeout=10, stdin=subprocess.DEVNULL)
        return completed.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _wrk_version() -> str:
    if shutil.which("wrk") is None:
        return "absent"
    try:
        completed = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10,
                                   stdin=subprocess.DEVNULL)
        return (completed.stdout or completed.stderr).split(" Copyright")[0].strip() or "present"
    except (OSError, subprocess.SubprocessError):
        return "present"


def machine(inputs: Inputs) -> List[str]:
    try:
        load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        load = "unknown"
    packages = ", ".join(f"{name} {_version(name)}" for name in
                         ("flask", "flask-cors", "werkzeug", "bottle", "pyramid", "gunicorn"))
    return [
        f"- CPU: {_cpu_model()}, {os.cpu_count()} logical cores; load average when written: {load}",
        f"- OS: {platform.platform()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- wsgicors (this): {_version('wsgicors')} at commit {_git_commit()}, {_request_path()}; "
        f"wsgicors 0.7: {inputs.old_version or 'n/a (' + inputs.old_reason + ')'}",
        f"- Packages: {packages}; wrk: {_wrk_version()}",
    ]


def _request_path() -> str:
    """Which code served wsgicors's request path: the C twin or the Python reference (docs/design.md §2.3)."""
    from wsgicors import fastpath
    if fastpath.SPEEDUPS is not None:
        try:
            import pyramid_wsgicors
            tween_in_c = pyramid_wsgicors.SPEEDUPS is not None
        except ImportError:  # Pyramid is not installed: no Pyramid row either
            tween_in_c = False
        tween = ("the Pyramid tween's too (`adapters/pyramid_wsgicors/_speedups.c`)" if tween_in_c
                 else "the Pyramid tween's in Python")
        return f"request path in C (`wsgicors/_speedups.c`, built at install), {tween}"
    reason = (f"{fastpath.PURE_PYTHON_ENV} is set" if fastpath.pure_python_requested()
              else "wsgicors._speedups is not built here")
    return f"request path in Python only ({reason})"


# -- formatting -------------------------------------------------------------------

def us(seconds: float) -> str:
    value = seconds * US
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"


def signed(seconds: float) -> str:
    """An overhead in µs with its sign: ``+1.23`` or ``−0.40``."""
    return ("+" if seconds >= 0 else "−") + us(abs(seconds))


def cell(result: Result, name: str, baseline: str) -> str:
    if name not in result.samples:
        return "n/a"
    if name == baseline:
        return us(result.median(name))
    return f"{us(result.median(name))} ({signed(result.overhead(name, baseline))})"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> List[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


#: short competitor names for column headers
SHORT = {"ours": "ours", "floor": "floor", "old": "0.7", "flask_cors": "flask-cors", "adapter": "adapter"}


def group_section(group: GroupResult) -> List[str]:
    keys = list(group.labels)
    header = ["scenario"] + [group.labels[k] for k in keys]
    ratio_header = [f"overhead {SHORT.get(a, a)} ÷ {SHORT.get(b, b)}" for a, b in group.ratios]
    timings: List[List[str]] = []
    answers: List[List[str]] = []
    missing: Dict[str, str] = {}
    for scenario, result, cells in group.rows:
        timings.append([scenario.label] + [cell(result, k, group.baseline) for k in keys]
                       + [_ratio_cell(result, a, b, group.baseline) for a, b in group.ratios])
        answers.append([scenario.label] + [cells[k].answer or "n/a" for k in keys])
        for k in keys:
            if cells[k].missing:
                missing.setdefault(group.labels[k], cells[k].missing)
    lines = [f"### {group.title}", "",
             f"µs per request (median); in brackets the overhead over {group.labels[group.baseline]} "
             "(median of per-round differences).", ""]
    lines += table(header + ratio_header, timings)
    if group.ratios:
        lines += ["", "Overhead ratios divide the medians of the overheads; \"—\" where an overhead is not "
                      "positive (an answer faster than the bare app's, as for preflights answered before routing)."]
    lines += ["", "What each answered (status, `ACAO` = Access-Control-Allow-Origin present, "
                  "`Vary` = Vary names Origin, ×N = that many header lines):", ""]
    lines += table(header, answers)
    for label, reason in missing.items():
        lines += ["", f"n/a — {label}: {reason}"]
    return lines + [""]


def _ratio_cell(result: Result, mine: str, other: str, baseline: str) -> str:
    if not _has(result, mine, other, baseline):
        return "n/a"
    own, theirs = result.overhead(mine, baseline), result.overhead(other, baseline)
    return f"{own / theirs:.2f}×" if own > 0 and theirs > 0 else "—"


def scaling_section(scales: Sequence[ScaleResult]) -> List[str]:
    lines = ["### Number of configured origins", "",
             "Overhead in µs per request over the bare app of the same framework (median of per-round "
             "differences); for ours also the full request time and its ratio to the 1-origin case "
             "(median of per-round ratios). The allowed origin sits in the middle of each exact list; "
             "the wildcard entries are `https://*.tenantN.example.net`.", ""]
    for scale in scales:
        result = scale.result
        rows = []
        for row in scale.rows:
            base = scale.names.get((scale.reference(row), "ours"))
            mine = scale.names.get((row, "ours"))
            ratio = (f"{result.ratio(mine, base):.2f}×" if mine and base and mine in result.samples
                     and base in result.samples else "n/a")
            rows.append([
                row,
                us(result.median(mine)) if mine in result.samples else "n/a",
                _overhead(scale, row, "ours", "bare"),
                ratio,
                _overhead(scale, row, "old", "bare"),
                _overhead(scale, row, "flask_cors", "flask"),
            ])
        if scale.request == FRESH:
            lines += [f"**{FRESH}** ({DISTINCT} distinct origins in turn, more than any per-origin cache "
                      "holds: the cost of an origin seen for the first time, which needs parsing; the ratio "
                      f"compares with the same request against {SMALL_WILDCARD})", ""]
            lines += table(["origins configured", "ours µs/request", "ours overhead",
                            f"ours vs {SMALL_WILDCARD}", "wsgicors 0.7 overhead"], [row[:5] for row in rows])
        else:
            lines += [f"**{scale.request} requests** (the same origin each time)", ""]
            lines += table(["origins configured", "ours µs/request", "ours overhead", "ours vs 1 origin",
                            "wsgicors 0.7 overhead", "flask-cors overhead"], rows)
        lines.append("")
    notes = sorted({reason for scale in scales for reason in scale.missing.values()})
    lines += [f"n/a — {reason}" for reason in notes]
    memo = getattr(importlib.import_module("wsgicors.origins"), "MEMO_SIZE", None)
    if memo:
        actuals = getattr(importlib.import_module("wsgicors.fastpath"), "MEMO_SIZE", None)
        lines += ["", f"Ours answers exact origins with one set look-up; any other origin is parsed once and its "
                      f"answer remembered (an actual request's headers for up to {actuals} origins per policy, "
                      f"`wsgicors/fastpath.py`; the origin matcher's decisions for preflights, up to {memo}, "
                      "`wsgicors/origins.py`), so a repeated origin costs one look-up too. The last table is the "
                      "cost without that memory."]
    lines += ["", "wsgicors 0.7 caches its decision per origin string (`lru_cache`, 200 entries), so a "
                  "repeated origin is a cache hit for it; an origin it has not seen costs a linear `fnmatch` "
                  "scan of every entry.", ""]
    return lines


def _overhead(scale: ScaleResult, row: str, key: str, baseline_key: str) -> str:
    name = scale.names.get((row, key))
    baseline = scale.names.get(("-", baseline_key))
    if not name or not baseline or name not in scale.result.samples:
        return "n/a"
    return signed(scale.result.overhead(name, baseline))


#: the throughput margin the socket target allows (wrapped ≥ 0.95 × bare)
SOCKET_MARGIN = 0.05


def too_noisy(sockets: SocketResult) -> str:
    """Why the A/A control says the socket run cannot decide the target ("" when it can).

    The control serves the bare app again; if its throughput differs from the
    bare server's by the target's margin or more, a wrapped/bare ratio on
    either side of 0.95 says nothing.
    """
    if not sockets.rps.get("control"):
        return "no A/A control was measured"
    off = abs(sockets.ratio("control") - 1)
    if off >= SOCKET_MARGIN:
        return (f"the machine was too noisy to decide (the A/A control is {off:.1%} off the bare server, "
                f"the target's margin is {SOCKET_MARGIN:.0%})")
    return ""


def socket_section(sockets: SocketResult) -> List[str]:
    lines = ["### Socket level: gunicorn, 2 sync workers, 127.0.0.1", ""]
    if sockets.error and not sockets.rps:
        return lines + [f"n/a — {sockets.error}", ""]
    rounds = len(sockets.rps.get("bare", []))
    lines += [f"Load: `{sockets.command}`; {rounds} round{'s' if rounds != 1 else ''}, each loading every server once for "
              f"{sockets.duration:g} s, in an order that rotates. *control* is the bare app again on a third "
              "server: its ratios to *bare* show how far this method can be trusted on this machine.", ""]
    rows = []
    for name in sockets.rps:
        runs = ", ".join(f"{value:.0f}" for value in sockets.rps[name])
        cpu = sockets.cpu_per_request(name)
        rows.append([name, sockets.checks.get(name, ""), runs, f"{sockets.mean_rps(name):.0f}",
                     f"{sockets.ratio(name):.3f}", f"{cpu * US:.0f}" if cpu else "n/a",
                     f"{sockets.cpu_ratio(name):.3f}" if cpu else "n/a"])
    lines += table(["server", "answer to an allowed GET", "requests/s per run", "mean requests/s",
                    "throughput vs bare", "server CPU µs per request", "capacity vs bare"], rows)
    lines += ["", "Server CPU is the CPU time of gunicorn's master and workers (from /proc) over all runs, "
                  "divided by the requests served; capacity is requests per server CPU-second. The machine is "
                  "shared, so wall-clock throughput also moves with other processes' load; CPU per request "
                  "moves much less."]
    noisy = too_noisy(sockets)
    lines += ["", "A/A control: " + (noisy[0].upper() + noisy[1:] + "." if noisy else
              f"throughput {sockets.ratio('control'):.3f} × bare, within the target's "
              f"{SOCKET_MARGIN:.0%} margin, so the wrapped/bare ratio can decide it.")]
    if sockets.error:
        lines += ["", f"(incomplete: {sockets.error})"]
    return lines + [""]


# -- targets ----------------------------------------------------------------------

def _group(inputs: Inputs, key: str) -> Optional[GroupResult]:
    return next((g for g in inputs.groups if g.key == key), None)


def _scenario(group: Optional[GroupResult], key: str) -> Optional[Result]:
    if group is None:
        return None
    return next((result for scenario, result, _ in group.rows if scenario.key == key), None)


def _has(result: Optional[Result], *names: str) -> bool:
    return result is not None and all(name in result.samples for name in names)


def verdict(ok: Optional[bool]) -> str:
    return "n/a" if ok is None else "**met**" if ok else "**not met**"


def _overhead_ratio(result: Optional[Result], mine: str, theirs: str, limit: float) -> Tuple[str, Optional[bool]]:
    """``mine``'s overhead over "bare" divided by ``theirs``'s, and whether it is ≤ ``limit``."""
    if result is None or not _has(result, "bare", mine, theirs):
        return "n/a (a competitor is missing)", None
    own, other = result.overhead(mine, "bare"), result.overhead(theirs, "bare")
    ratio = own / other if other > 0 else float("inf")
    return f"{ratio:.2f}× ({signed(own)} µs vs {signed(other)} µs)", ratio <= limit


def targets(inputs: Inputs) -> List[Tuple[str, str, str]]:
    out: List[Tuple[str, str, str]] = []

    flask = _scenario(_group(inputs, "flask"), "allowed")
    figure, ok = _overhead_ratio(flask, "ours", "flask_cors", 0.5)
    if ok is not None and _has(flask, "adapter"):
        assert flask is not None
        figure += f"; flask_wsgicors.CORS: {signed(flask.overhead('adapter', 'bare'))} µs"
    out.append(("Our middleware's overhead on an allowed actual GET ≤ 0.5 × flask-cors's, same Flask app",
                figure, verdict(ok)))

    pre = _scenario(_group(inputs, "flask"), "preflight")
    name = "Allowed preflight through our Flask adapter ≥ 10 × faster than Flask + flask-cors"
    if _has(pre, "adapter", "flask_cors"):
        assert pre is not None
        speedup = pre.ratio("flask_cors", "adapter")
        out.append((name, f"{speedup:.1f}× ({us(pre.median('adapter'))} µs vs {us(pre.median('flask_cors'))} µs)",
                    verdict(speedup >= 10)))
    elif _has(pre, "ours", "flask_cors"):
        assert pre is not None
        speedup = pre.ratio("flask_cors", "ours")
        out.append((name, f"n/a: adapter missing; CORSMiddleware on the same Flask app: {speedup:.1f}×", "n/a"))
    else:
        out.append((name, "n/a", "n/a"))

    allowed, disallowed = find(inputs.scaling, "allowed"), find(inputs.scaling, "disallowed")
    name = (f"{LARGE} patterns: allowed and disallowed requests each ≤ 1.2 × the 1-origin case "
            "(full request time on the bare app)")
    figures, all_ok, measured = [], True, False
    for scale, rows in ((allowed, (LARGE, WILDCARD_ROW)), (disallowed, (LARGE,))):
        if scale is None or not scale.rows:
            continue
        for row in rows:
            base = scale.names.get((scale.reference(row), "ours"))
            mine = scale.names.get((row, "ours"))
            if mine and base and _has(scale.result, mine, base):
                ratio = scale.result.ratio(mine, base)
                kind = {LARGE: "exact hit", WILDCARD_ROW: "wildcard hit"}[row] if scale is allowed else "disallowed"
                figures.append(f"{kind} {ratio:.2f}×")
                all_ok = all_ok and ratio <= 1.2
                measured = True
    out.append((name, ", ".join(figures) or "n/a", verdict(all_ok if measured else None)))

    sockets = inputs.sockets
    name = "gunicorn + load generator: wrapped throughput ≥ 0.95 × bare"
    if sockets.rps.get("bare") and sockets.rps.get("wrapped"):
        figure = (f"{sockets.ratio():.3f} ({sockets.mean_rps('wrapped'):.0f} vs {sockets.mean_rps('bare'):.0f} "
                  f"req/s, {sockets.tool}); per server CPU-second {sockets.cpu_ratio():.3f}")
        if sockets.rps.get("control"):
            figure += (f"; A/A control {sockets.ratio('control'):.3f} / {sockets.cpu_ratio('control'):.3f}")
        noisy = too_noisy(sockets)
        out.append((name, figure, f"**undecided**: {noisy}" if noisy else verdict(sockets.ratio() >= 0.95)))
    else:
        out.append((name, f"n/a ({sockets.error})", "n/a"))

    wsgi = _scenario(_group(inputs, "wsgi"), "allowed")
    figure, ok = _overhead_ratio(wsgi, "ours", "floor", 2)
    out.append(("Allowed actual GET on a bare WSGI app: our overhead ≤ 2 × the hand-written floor's",
                figure, verdict(ok)))
    return out


# -- the document -------------------------------------------------------------------

def render(inputs: Inputs) -> str:
    settings = inputs.settings
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmarks", ""]
    if inputs.smoke:
        lines += ["> **Smoke mode**: tiny counts to check that the suite runs. The figures below mean "
                  "nothing.", ""]
    lines += [
        f"Written by `{inputs.command}` (from the repository root) on {now}, in {inputs.elapsed:.0f} s. "
        "Do not edit: run the command again. How it measures: [benchmarks/README.md](benchmarks/README.md).",
        "",
        "## Machine", "",
    ]
    lines += machine(inputs)
    if settings.fixed_loops is not None:
        method = f"{settings.fixed_loops} calls per sample, {settings.repeats} rounds"
    else:
        method = (f"each sample ≈ {settings.sample_time * 1000:g} ms of calls (calibrated after warm-up), "
                  f"{settings.repeats} rounds per scenario with competitors interleaved in rotating order; "
                  "medians")
    clock = "the thread's CPU time" if settings.clock == "cpu" else "wall-clock time"
    if settings.gc:
        collector = ("the garbage collector runs before each round and stays on while it is timed (`--gc`), so "
                     "code that allocates pays for the collections it causes, as in the independent benchmark.")
    else:
        collector = ("the garbage collector runs before each round and is paused while it is timed, as `timeit` "
                     "does: a collection would land in whichever competitor's sample crosses the allocation "
                     "threshold. It also means code that allocates more is not charged for its collections, which "
                     "favours the competitor that allocates more (wsgicors, against the floors); the independent "
                     "benchmark kept outside the project leaves the collector on, and `--gc` does so here.")
    lines += [f"- Timing: in-process WSGI calls (fresh environ, body iterated, `close()` called), {method}; "
              f"timer: {clock}; {collector}", ""]

    if inputs.targets or inputs.imports is not None:
        from . import targets as issue16
        lines += issue16.section(inputs.targets, inputs.imports, inputs.smoke)
    if inputs.curves:
        from . import growth
        lines += growth.section(inputs.curves)
    lines += ["## Targets (issue 6)", ""]
    rows = [list(t) for t in targets(inputs)]
    if inputs.smoke:
        rows = [[target, figure, "— (smoke mode)"] for target, figure, _ in rows]
    lines += table(["target", "figure (this run)", "verdict"], rows)
    lines += ["", "## In-process WSGI calls", ""]
    for group in inputs.groups:
        lines += group_section(group)
    lines += scaling_section(inputs.scaling)
    lines += ["## Over sockets", ""]
    lines += socket_section(inputs.sockets)
    return "\n".join(lines).rstrip() + "\n"
