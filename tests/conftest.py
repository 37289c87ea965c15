"""Test groups: ``slow`` marks every integration group, so the edit loop can skip them.

``pytest -m "not slow"`` runs the unit and in-process tests in well under a
minute of wall time; plain ``pytest`` (the README's command, and ``.ci/run``) runs everything.
A test is slow when it carries one of :data:`SLOW_MARKERS`: real browsers, real
servers (gunicorn, wsgiref subprocesses), packaging into fresh virtualenvs, tox's
oldest-releases environment, other libraries' releases (claims), the benchmark
smoke run, or mypy over the core.
"""

import pytest

SLOW_MARKERS = frozenset({"browser", "server", "packaging", "tox", "claims", "benchmarks", "typecheck"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(marker.name in SLOW_MARKERS for marker in item.iter_markers()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _fresh_log_limiter():
    """Each test sees the first occurrence of every log cause (wsgicors.logs rate-limits them)."""
    from wsgicors import logs

    logs.limited.reset()
    yield
