"""What users install: the sdist and wheel build, pass ``twine check``, and work in a fresh venv.

Marked ``packaging``: it builds with ``python -m build`` (an isolated build
environment from the package index) and installs the wheel with its ``[all]``
extra into a new virtualenv, removed afterwards. ``pytest -m packaging`` runs
only these; they are part of the default run (and never skipped under CI).
"""

import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("wsgicors", "flask_wsgicors", "bottle_wsgicors", "pyramid_wsgicors")
BUILD_TIMEOUT = 600

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
    from wsgicors import fastpath
    print("stdlib only", "C" if fastpath.SPEEDUPS is not None else "Python")
""")

IMPORT_EVERYTHING = textwrap.dedent("""
    import importlib, sys
    for name in sys.argv[1:]:
        module = importlib.import_module(name)
        assert "site-packages" in module.__file__, (name, module.__file__)
    from flask_wsgicors import CORS
    from bottle_wsgicors import CORSPlugin
    import pyramid_wsgicors, wsgicors.paste
    print("imported", *sys.argv[1:])
""")


def clean_env() -> dict:
    """No PYTHONPATH or virtualenv of ours leaking into the fresh one."""
    return {name: value for name, value in os.environ.items()
            if name not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP")}


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """``python -m build`` output: the sdist, and the wheel built from that sdist."""
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("source") / "wsgicors"
    # Build from a copy of the tracked files, so nothing in the worktree (egg-info, caches) leaks in.
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    result = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(source)],
                            capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    shutil.rmtree(source.parent)
    return out


@pytest.fixture(scope="module")
def wheel(dist):
    return next(dist.glob("wsgicors-*.whl"))


@pytest.fixture(scope="module")
def sdist(dist):
    return next(dist.glob("wsgicors-*.tar.gz"))


@pytest.fixture
def fresh_venv(tmp_path):
    """A new virtualenv with pip, deleted after the test."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    try:
        yield env_dir
    finally:
        shutil.rmtree(env_dir, ignore_errors=True)


pytestmark = pytest.mark.packaging


def test_build_makes_one_sdist_and_one_wheel_that_pass_twine_check(dist):
    built = sorted(path.name for path in dist.iterdir())
    assert [name.endswith(".tar.gz") for name in built] == [False, True], built
    # a platform wheel: it carries wsgicors/_speedups, compiled for this Python
    tag = f"-cp{sys.version_info.major}{sys.version_info.minor}-"
    assert tag in built[0] and built[0].endswith(".whl") and "-none-any" not in built[0], built
    result = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dist.iterdir())],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_wheel_ships_the_core_and_the_adapters(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for package in PACKAGES:
        assert f"{package}/__init__.py" in names
    assert "wsgicors/py.typed" in names
    for package in ("wsgicors", "pyramid_wsgicors"):  # each C part, compiled for this Python, and its stub
        assert [name for name in names if name.startswith(f"{package}/_speedups.") and name.endswith(".so")], names
        assert f"{package}/_speedups.pyi" in names, names


def test_sdist_holds_the_sources_license_and_readme(sdist):
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for needed in ("README.md", "LICENSE", "setup.cfg", "setup.py", "pyproject.toml", "wsgicors/__init__.py",
                   "wsgicors/_speedups.c", "adapters/pyramid_wsgicors/_speedups.c",
                   "adapters/flask_wsgicors/__init__.py", "adapters/bottle_wsgicors/__init__.py",
                   "adapters/pyramid_wsgicors/__init__.py"):
        assert needed in names, needed


def test_the_wheel_installs_into_a_fresh_venv_with_all_four_packages_and_the_command(wheel, fresh_venv, tmp_path):
    bin_dir = fresh_venv / "bin"
    install = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", f"{wheel}[all]"],
                             capture_output=True, text=True, timeout=BUILD_TIMEOUT, env=clean_env())
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    imported = subprocess.run([str(bin_dir / "python"), "-c", IMPORT_EVERYTHING, *PACKAGES], capture_output=True,
                              text=True, timeout=120, cwd=str(tmp_path), env=clean_env())
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "imported " + " ".join(PACKAGES)
    helped = subprocess.run([str(bin_dir / "wsgicors"), "--help"], capture_output=True, text=True, timeout=120,
                            cwd=str(tmp_path), env=clean_env())
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: wsgicors") and "demo" in helped.stdout and "check" in helped.stdout


def test_core_runs_in_a_bare_virtualenv_with_no_dependencies(wheel, fresh_venv, tmp_path):
    python = fresh_venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, timeout=300, env=clean_env())
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True,
                            text=True, check=True, env=clean_env()).stdout
    assert not [line for line in listed.splitlines()
                if line.split("==")[0].lower() not in {"wsgicors", "pip", "setuptools", "wheel"}]
    result = subprocess.run([str(python), "-c", USE_THE_CORE], capture_output=True, text=True, timeout=60,
                            cwd=str(tmp_path), env={"PATH": os.environ.get("PATH", "")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["stdlib", "only", "C"]


def test_without_a_c_compiler_the_sdist_installs_the_python_code(sdist, fresh_venv, tmp_path):
    """The C module is optional: a failed compile leaves a working install that uses fastpath.py's Python code."""
    python = fresh_venv / "bin" / "python"
    env = dict(clean_env(), CC="false", LDSHARED="false")  # every compiler call fails
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(sdist)],
                             capture_output=True, text=True, timeout=BUILD_TIMEOUT, env=env)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    result = subprocess.run([str(python), "-c", USE_THE_CORE], capture_output=True, text=True, timeout=60,
                            cwd=str(tmp_path), env={"PATH": os.environ.get("PATH", "")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["stdlib", "only", "Python"]


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
