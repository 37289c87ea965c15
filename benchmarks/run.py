"""``python -m benchmarks``: run every comparison in one process, write BENCHMARKS.md."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import List, Optional, Sequence

from . import competitors as c
from . import growth, report, socket_level, suites, targets
from .oldversion import OldVersion
from .timing import Settings

PARTS = ("targets", "growth", "wsgi", "flask", "bottle", "pyramid", "scaling", "socket")
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Compare wsgicors with bare apps, a hand-written floor, flask-cors 6 and wsgicors 0.7.")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny counts, one 1 s socket pair: checks the suite works (CI); figures are meaningless")
    parser.add_argument("--output", "-o", metavar="PATH",
                        help="Markdown file to write (default: BENCHMARKS.md; in --smoke mode: none)")
    parser.add_argument("--repeats", type=int, help="rounds per scenario; the median is reported (default 15)")
    parser.add_argument("--sample-time", type=float, help="seconds per competitor per round (default 0.02)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="in-process timer: the thread's CPU time (default) or wall-clock time")
    parser.add_argument("--gc", action="store_true",
                        help="keep the garbage collector on while a round is timed (default: paused, as in timeit)")
    parser.add_argument("--duration", type=float,
                        help="seconds per socket-level load run (default 2; 8 rounds of 3 servers)")
    parser.add_argument("--no-socket", action="store_true", help="skip the gunicorn run")
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator even if wrk exists")
    parser.add_argument("--no-old", action="store_true", help="skip wsgicors 0.7 (no pip install)")
    parser.add_argument("--only", metavar="PARTS",
                        help=f"comma-separated subset of {','.join(PARTS)} (for development; the committed "
                             "BENCHMARKS.md comes from a full run)")
    parser.add_argument("--old-dir", metavar="DIR",
                        help="a directory where wsgicors 0.7 is already installed (pip install --target DIR)")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    parts = set(PARTS if not args.only else args.only.split(","))
    if parts - set(PARTS):
        raise SystemExit(f"--only: unknown part(s) {', '.join(sorted(parts - set(PARTS)))}")
    settings = Settings.smoke() if args.smoke else Settings()
    if args.repeats:
        settings.repeats = args.repeats
    settings.clock = args.clock
    settings.gc = args.gc
    if args.sample_time:
        settings.sample_time = args.sample_time
    duration = args.duration or (1.0 if args.smoke else 2.0)
    output = args.output or (None if args.smoke else os.path.join(REPO_ROOT, "BENCHMARKS.md"))
    command = "python -m benchmarks" + "".join(" " + a for a in (argv if argv is not None else sys.argv[1:]))
    started = time.time()
    log = suites.log

    old_context = _Null("skipped with --no-old") if args.no_old else OldVersion(args.old_dir)
    with old_context as old:
        if old.module is None:
            log(f"wsgicors 0.7: n/a ({old.reason})")
        else:
            log(f"wsgicors {old.version} loaded as {old.module.__name__} from {old.module.__file__}")
        old_entry = c.Competitor("old", f"wsgicors {old.version or '0.7'} (PyPI)",
                                 c.old_wsgicors(old.module, old.reason))
        flask_cors = c.Competitor("flask_cors", "Flask + flask-cors", c.flask_cors)

        plan = [
            ("wsgi", "Plain WSGI app", [
                c.Competitor("bare", "bare app", c.bare),
                c.Competitor("floor", "hand-written floor", c.floor),
                c.Competitor("ours", "wsgicors (this)", c.ours),
                old_entry], [("ours", "floor"), ("ours", "old")]),
            ("flask", "Flask", [
                c.Competitor("bare", "bare Flask", c.flask_bare),
                flask_cors,
                c.Competitor("ours", "CORSMiddleware", c.flask_ours_middleware),
                c.Competitor("adapter", "flask_wsgicors.CORS", c.flask_adapter)],
             [("ours", "flask_cors"), ("adapter", "flask_cors")]),
            ("bottle", "Bottle", [
                c.Competitor("bare", "bare Bottle", c.bottle_bare),
                c.Competitor("adapter", "bottle_wsgicors.CORSPlugin", c.bottle_plugin)], []),
            ("pyramid", "Pyramid", [
                c.Competitor("bare", "bare Pyramid", c.pyramid_bare),
                c.Competitor("adapter", "pyramid_wsgicors tween", c.pyramid_tween)], []),
        ]
        suites.warm_up(settings)
        target_results: List[targets.RowResult] = []
        imports = None
        if "targets" in parts:
            target_results = targets.run_rows(targets.rows(), settings, runs=1 if args.smoke else targets.RUNS,
                                              log=log)
            log("targets: import wsgicors")
            imports = targets.import_cost(runs=1 if args.smoke else 5)
        curves: List[growth.Curve] = []
        if "growth" in parts:
            for curve in growth.curves(smoke=args.smoke):
                log(f"growth: {curve.label}")
                curves.append(growth.run_curve(curve, settings))
        groups: List[suites.GroupResult] = []
        for key, title, entries, ratios in plan:
            if key in parts:
                log(title)
                groups.append(suites.run_group(key, title, entries, settings, ratios=ratios))
        scaling: List[suites.ScaleResult] = []
        if "scaling" in parts:
            log("origin scaling")
            scaling = suites.run_scaling(old_entry, flask_cors, settings)

    if args.no_socket or "socket" not in parts:
        sockets = socket_level.SocketResult(error="skipped")
    else:
        log(f"socket level: gunicorn, 2 workers, {duration:g} s per run")
        sockets = socket_level.run(duration=duration, rounds=1 if args.smoke else 8, use_wrk=not args.no_wrk)
        if sockets.error:
            log(f"  socket level: n/a ({sockets.error})")

    text = report.render(report.Inputs(
        command=command, smoke=args.smoke, settings=settings, groups=groups, scaling=scaling,
        sockets=sockets, targets=target_results, imports=imports, curves=curves, old_version=old.version,
        old_reason=old.reason, elapsed=time.time() - started,
    ))
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
        log(f"wrote {output}")
    else:
        sys.stdout.write(text)
    return 0


class _Null:
    """Stands in for OldVersion when 0.7 is skipped: no install, no module."""

    def __init__(self, reason: str) -> None:
        self.old = OldVersion()
        self.old.reason = reason

    def __enter__(self) -> OldVersion:
        return self.old

    def __exit__(self, *exc: object) -> None:
        pass
