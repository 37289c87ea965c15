"""The core is stdlib-only; the command line entry points work."""

import os
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

USE_THE_CORE = textwrap.dedent("""
    import sys
    from wsgicors import CORSMiddleware, Policy, ConfigError

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    seen = {}
    def start_response(status, headers, exc_info=None):
        seen["headers"] = headers

    wrapped = CORSMiddleware(app, origins=["https://a.example"], allow_credentials=True)
    wrapped({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_ORIGIN": "https://a.example"}, start_response)
    assert ("Access-Control-Allow-Origin", "https://a.example") in seen["headers"], seen
    import wsgicors.paste, wsgicors.engine, wsgicors.settings, wsgicors.cli
    outside = sorted(
        name for name, module in sys.modules.items()
        if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "wsgicors"
        and not name.startswith("_")
    )
    assert not outside, outside
    print("stdlib only")
""")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True, timeout=300)
    return next(out.glob("wsgicors-*.whl"))


def test_core_runs_in_a_bare_virtualenv_with_no_dependencies(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, timeout=300)
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True,
                            text=True, check=True).stdout
    assert not [line for line in listed.splitlines()
                if line.split("==")[0].lower() not in {"wsgicors", "pip", "setuptools", "wheel"}]
    result = subprocess.run([str(python), "-c", USE_THE_CORE], capture_output=True, text=True, timeout=60,
                            cwd=str(tmp_path), env={"PATH": os.environ.get("PATH", "")})
    assert result.returncode == 0, result.stderr
    assert "stdlib only" in result.stdout


def test_wheel_ships_the_core_and_the_adapters(wheel):
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    for package in ("wsgicors", "flask_wsgicors", "bottle_wsgicors", "pyramid_wsgicors"):
        assert f"{package}/__init__.py" in names
    assert "wsgicors/py.typed" in names


@pytest.mark.parametrize("command", [[sys.executable, "-m", "wsgicors", "--version"], ["wsgicors", "--version"]])
def test_version_from_the_command_line(command):
    from wsgicors import __version__

    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"wsgicors {__version__}"


def test_command_without_arguments_prints_usage_and_exits_2():
    result = subprocess.run([sys.executable, "-m", "wsgicors"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "usage: wsgicors" in result.stdout
