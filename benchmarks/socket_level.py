"""Socket-level run: gunicorn (2 workers) serving the bare app and the wrapped app.

Both servers listen on 127.0.0.1 only. Load comes from ``wrk`` when it is on
PATH, otherwise from a bounded Python load generator (threads, fixed
duration, capped request count). Each round loads every server once, in an
order that rotates, so drift of the shared machine hits all alike; figures
add up all rounds. A third server runs the bare app again as a control: its
ratio to the bare one is the noise of the method. Servers are always stopped.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from .wsgi import ALLOWED_ORIGIN, PATH

HOST = "127.0.0.1"
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: "control" is the bare app again on its own server: its ratio to "bare" shows the noise.
APPS = (("bare", "benchmarks.serve:bare"), ("wrapped", "benchmarks.serve:wrapped"),
        ("control", "benchmarks.serve:control"))


@dataclass
class SocketResult:
    tool: str = ""
    command: str = ""
    duration: float = 0.0
    rps: Dict[str, List[float]] = field(default_factory=dict)
    #: per run: (requests served, server CPU seconds of gunicorn's master and workers)
    work: Dict[str, List[Tuple[int, float]]] = field(default_factory=dict)
    checks: Dict[str, str] = field(default_factory=dict)
    error: str = ""

    def mean_rps(self, name: str) -> float:
        runs = self.rps.get(name, [])
        return sum(runs) / len(runs) if runs else 0.0

    def ratio(self, name: str = "wrapped") -> float:
        """Throughput of ``name`` over the bare app's, all runs together (equal durations)."""
        bare = self.mean_rps("bare")
        return self.mean_rps(name) / bare if bare else 0.0

    def cpu_per_request(self, name: str) -> float:
        """Server CPU seconds per request, all runs together."""
        runs = self.work.get(name, [])
        requests = sum(count for count, _ in runs)
        return sum(cpu for _, cpu in runs) / requests if requests else 0.0

    def cpu_ratio(self, name: str = "wrapped") -> float:
        """Capacity (requests per server CPU-second) of ``name`` over the bare app's."""
        mine = self.cpu_per_request(name)
        return self.cpu_per_request("bare") / mine if mine else 0.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with 2 sync workers on 127.0.0.1; a context manager that always stops it."""

    def __init__(self, target: str, workers: int = 2) -> None:
        self.target = target
        self.workers = workers
        self.port = 0
        self.process: Optional[subprocess.Popen[bytes]] = None

    def __enter__(self) -> "Server":
        self.port = _free_port()
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                   "--bind", f"{HOST}:{self.port}", "--log-level", "warning",
                   "--pythonpath", REPO_ROOT, "--chdir", REPO_ROOT, self.target]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = (self.process.stderr.read() if self.process.stderr else b"").decode(errors="replace")
                raise RuntimeError(f"gunicorn exited: {error.strip()[-300:]}")
            try:
                status, _ = request(self.port)
                if status:
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within 30 s")

    def cpu_seconds(self) -> float:
        """CPU time used so far by the gunicorn master and its workers (Linux /proc)."""
        if self.process is None:
            return 0.0
        total = 0
        for pid in [self.process.pid] + _children(self.process.pid):
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / CLOCK_TICKS

    def __exit__(self, *exc: object) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # gunicorn stops its workers gracefully
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: only its workers
            process.wait(timeout=5)
        if process.stderr is not None:
            process.stderr.close()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _children(parent: int) -> List[int]:
    found: List[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == parent:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def request(port: int, origin: str = ALLOWED_ORIGIN) -> Tuple[int, Dict[str, str]]:
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", PATH, headers={"Origin": origin})
        response = connection.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def _wrk(port: int, duration: float, connections: int) -> Tuple[float, int, str]:
    url = f"http://{HOST}:{port}{PATH}"
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s",
               "-H", f"Origin: {ALLOWED_ORIGIN}", url]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60,
                               stdin=subprocess.DEVNULL)
    match = re.search(r"Requests/sec:\s+([0-9.]+)", completed.stdout)
    if completed.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed: {(completed.stderr or completed.stdout).strip()[-300:]}")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", completed.stdout)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} error responses")
    count = re.search(r"(\d+) requests in", completed.stdout)
    return float(match.group(1)), int(count.group(1)) if count else 0, shlex.join(command[:-1] + [f"http://{HOST}:PORT{PATH}"])


def _python_load(port: int, duration: float, connections: int, cap: int = 1_000_000) -> Tuple[float, int, str]:
    """A bounded load generator: ``connections`` threads for ``duration`` seconds."""
    counts = [0] * connections
    stop_at = time.monotonic() + duration
    per_thread_cap = max(1, cap // connections)

    def worker(index: int) -> None:
        done = 0
        while done < per_thread_cap and time.monotonic() < stop_at:
            try:
                status, _ = request(port)
            except OSError:
                continue
            if status == 200:
                done += 1
        counts[index] = done

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 30)
    elapsed = time.monotonic() - started
    return sum(counts) / elapsed, sum(counts), f"python load generator, {connections} threads, {duration:g} s"


def run(duration: float = 2.0, rounds: int = 8, connections: int = 16, use_wrk: bool = True) -> SocketResult:
    """``rounds`` rounds of one ``duration`` run per server, in an order that rotates each round."""
    result = SocketResult(duration=duration)
    have_wrk = use_wrk and shutil.which("wrk") is not None
    result.tool = "wrk" if have_wrk else "python"
    if not have_wrk:
        connections = min(connections, 8)
    try:
        import gunicorn  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        result.error = "gunicorn not installed"
        return result
    try:
        with contextlib.ExitStack() as stack:
            servers = {name: stack.enter_context(Server(target)) for name, target in APPS}
            for name, server in servers.items():
                status, headers = request(server.port)
                result.checks[name] = f"{status}, ACAO {headers.get('access-control-allow-origin', 'absent')}"
            names = list(servers)
            for index in range(rounds):
                shift = index % len(names)
                for name in names[shift:] + names[:shift]:
                    server = servers[name]
                    cpu_before = server.cpu_seconds()
                    if have_wrk:
                        rps, count, command = _wrk(server.port, duration, connections)
                    else:
                        rps, count, command = _python_load(server.port, duration, connections)
                    result.work.setdefault(name, []).append((count, server.cpu_seconds() - cpu_before))
                    result.rps.setdefault(name, []).append(rps)
                    result.command = command
    except Exception as error:  # reported in the table, never a crash
        result.error = f"{type(error).__name__}: {error}"
    return result
