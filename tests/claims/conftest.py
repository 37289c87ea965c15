"""Fixtures for ``tests/claims``: the other libraries' real releases, driven as their users drive them.

flask-cors 6.0.5, django-cors-headers 4.9.0 (+ Django) and Starlette 1.10 are
pinned in the ``test`` extra (they coexist with us). wsgicors 0.7.0 owns our
module name, so it is fetched with ``pip download`` into a temporary
directory and loaded from its own file under the alias ``wsgicors07``. Nothing
here is skipped: a missing library is a failure.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tarfile
from types import ModuleType
from typing import Iterator

import pytest


@pytest.fixture(scope="session")
def wsgicors07(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """wsgicors 0.7.0's single module, from its sdist on the package index, imported as ``wsgicors07``."""
    where = tmp_path_factory.mktemp("wsgicors07")
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                    "-d", str(where), "wsgicors==0.7.0"], check=True, timeout=300)
    with tarfile.open(next(where.glob("wsgicors-0.7.0.tar.gz"))) as archive:
        source = archive.extractfile("wsgicors-0.7.0/wsgicors.py")
        assert source is not None
        (where / "wsgicors07.py").write_bytes(source.read())
        setup_py = archive.extractfile("wsgicors-0.7.0/setup.py")
        assert setup_py is not None
        (where / "setup_07.py").write_bytes(setup_py.read())
    spec = importlib.util.spec_from_file_location("wsgicors07", where / "wsgicors07.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.SETUP_PY = (where / "setup_07.py").read_text()  # type: ignore[attr-defined]
    yield module


