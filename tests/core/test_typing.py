"""The core's type hints hold: mypy finds nothing to say about it."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.typecheck

ROOT = Path(__file__).resolve().parents[2]


def test_core_type_checks_cleanly():
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "wsgicors"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
