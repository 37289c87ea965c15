"""Build script. The metadata lives in setup.cfg; this file only adds the optional C code.

``wsgicors._speedups`` (``wsgicors/_speedups.c``) is the C twin of three pieces
of ``wsgicors/fastpath.py``: the check of an actual response's header names,
the ``start_response`` around it and the answers remembered per Origin.
``pyramid_wsgicors._speedups`` (``adapters/pyramid_wsgicors/_speedups.c``) is
the C twin of the one-policy tween's actual-request path. Both are built on
CPython 3.9 and later when a C compiler is there; when one cannot be built
(``optional=True``) the install goes on and the Python code serves, with the
same answers, only slower. ``WSGICORS_PURE_PYTHON=1`` (any value but empty or
``0``) at install time skips building them.
"""

import os
import platform
import sys

from setuptools import Extension, setup


def extensions() -> list:
    if (platform.python_implementation() != "CPython" or sys.version_info < (3, 9)
            or os.environ.get("WSGICORS_PURE_PYTHON", "") not in ("", "0")):
        return []
    return [Extension("wsgicors._speedups", ["wsgicors/_speedups.c"], optional=True),
            Extension("pyramid_wsgicors._speedups", ["adapters/pyramid_wsgicors/_speedups.c"], optional=True)]


setup(ext_modules=extensions())
