"""wsgicors 0.7 from PyPI, loaded beside ours under the module name ``wsgicors_old``.

0.7 has the same import name as this project, so it is installed at
benchmark time into a temporary directory (never into the environment, never
committed) and its single module file is loaded under another name in this
same process, so it is timed side by side with everything else.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from types import ModuleType
from typing import Optional, Tuple

REQUIREMENT = "wsgicors==0.7.*"
MODULE_NAME = "wsgicors_old"


class OldVersion:
    """Context manager: ``with OldVersion() as old: old.module`` (None + ``old.reason`` on failure)."""

    def __init__(self, directory: Optional[str] = None, timeout: float = 120.0) -> None:
        self.given_directory = directory
        self.timeout = timeout
        self.module: Optional[ModuleType] = None
        self.version = ""
        self.reason = ""
        self._tmp: Optional[str] = None

    def __enter__(self) -> "OldVersion":
        try:
            directory = self.given_directory or self._install()
            self.module, self.version = _load(directory)
        except Exception as error:  # reported as "n/a (reason)" in the table
            self.module, self.reason = None, str(error) or type(error).__name__
        return self

    def __exit__(self, *exc: object) -> None:
        sys.modules.pop(MODULE_NAME, None)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def _install(self) -> str:
        self._tmp = tempfile.mkdtemp(prefix="wsgicors-0.7-")
        target = os.path.join(self._tmp, "site")
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                   "--no-deps", "--no-compile", "--target", target, REQUIREMENT]
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=self.timeout,
                                       stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"pip install {REQUIREMENT} took over {self.timeout:.0f} s") from None
        if completed.returncode != 0:
            last = (completed.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise RuntimeError(f"pip install {REQUIREMENT} failed: {last}")
        return target


def _load(directory: str) -> Tuple[ModuleType, str]:
    path = os.path.join(directory, "wsgicors.py")
    if not os.path.exists(path):
        raise RuntimeError(f"no wsgicors.py (0.7 is a single module) in {directory}")
    version = ""
    for entry in os.listdir(directory):
        if entry.startswith("wsgicors-") and entry.endswith(".dist-info"):
            version = entry[len("wsgicors-"):-len(".dist-info")]
    spec = importlib.util.spec_from_file_location(MODULE_NAME, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module
    spec.loader.exec_module(module)
    if not hasattr(module, "CORS"):
        raise RuntimeError(f"{path} has no CORS class")
    return module, version or "0.7"
