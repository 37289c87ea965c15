"""Security tests: shared set-up.

``pytest -m fuzz`` selects the fuzz tests and runs each with the long example
count; in every other run they run too, bounded. ``WSGICORS_FUZZ_EXAMPLES=N``
sets the count explicitly.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import security_support  # noqa: E402


def pytest_configure(config):
    expression = config.getoption("markexpr", "") or ""
    long_run = "fuzz" in expression and "not fuzz" not in expression
    security_support.configure_fuzz(long_run, os.environ.get("WSGICORS_FUZZ_EXAMPLES"))


