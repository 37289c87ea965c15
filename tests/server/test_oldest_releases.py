"""The adapters also pass against the oldest supported framework releases.

The plain test run uses the newest releases; this test runs the tox environment
``oldest`` (Flask 2.3.0 + Werkzeug 2.3.0, Bottle 0.12, Pyramid 1.10, PasteDeploy
2.1, gunicorn 21.2) so that CI covers both ends. tox builds its virtualenv in a
temporary directory that is removed afterwards, so nothing is left behind
(it needs the package index, and about a minute).
"""

import pathlib
import subprocess
import sys
import tempfile

import pytest

pytestmark = [pytest.mark.server, pytest.mark.tox]

ROOT = pathlib.Path(__file__).resolve().parents[2]
OLDEST = ["flask 2.3.0", "werkzeug 2.3.0", "bottle 0.12.", "pyramid 1.10.", "pastedeploy 2.1.", "gunicorn 21.2.0"]


def test_adapters_pass_on_the_oldest_supported_releases():
    with tempfile.TemporaryDirectory(prefix="wsgicors-tox-") as workdir:
        result = subprocess.run(
            [sys.executable, "-m", "tox", "-e", "oldest", "--workdir", workdir,
             "--", "tests/adapters", "tests/server", "--ignore", "tests/server/test_oldest_releases.py", "-q"],
            cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    versions = next(line for line in output.splitlines() if line.startswith("flask "))
    for release in OLDEST:
        assert release in versions, versions
