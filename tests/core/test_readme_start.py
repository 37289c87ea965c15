"""README, read top to bottom by a newcomer: install truth, first commands, quick start, examples.

The install and demo commands are run literally in a fresh copy of the
repository (``packaging`` mark: they install from the package index into a
new virtual environment, removed afterwards).
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import List

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TRACKED = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
INDEX_INSTALL = re.compile(r"pip install ['\"]?wsgicors\b")


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def sh_blocks(text: str) -> List[str]:
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_nothing_in_the_repository_claims_an_install_from_the_package_index() -> None:
    """``pip install wsgicors`` gets the unrelated 0.7.0: only the warning may name it."""
    offending = []
    for name in TRACKED:
        path = ROOT / name
        if path.suffix not in (".md", ".py", ".cfg", ".ini", ".toml", ".txt", "") or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if INDEX_INSTALL.search(line) and "different project" not in line and path.name != Path(__file__).name:
                offending.append(f"{name}:{number}: {line.strip()}")
    assert offending == []


def test_install_says_where_from_and_who_owns_the_index_name() -> None:
    install = section("Install")
    assert "**`pip install wsgicors` installs a different project**" in install
    assert "0.7.0 (2017)" in install
    assert "pip install -e '.[all]'" in install
    assert "python -m build" in install and "pip install dist/wsgicors-*.whl" in install
    from wsgicors import __version__

    assert f"`{__version__}`" in install and "semantic" in install


def test_install_and_first_commands_come_before_the_comparison() -> None:
    order = [README.index(f"\n## {title}\n") for title in
             ("Install", "The two commands", "Quick start", "Why another CORS library")]
    assert order == sorted(order)


def test_the_two_commands_make_their_own_virtualenv_each_in_one_line() -> None:
    commands = [block.strip() for block in sh_blocks(section("The two commands"))]
    assert commands == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[all]' && wsgicors demo",
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[all,test]' && pytest",
    ]


def test_quick_start_output_is_what_the_server_sends(tmp_path: Path) -> None:
    """The program as written (port changed to a free one), the curl line's filter, the console block."""
    start = section("Quick start")
    program = start.split("```python\n", 1)[1].split("```", 1)[0]
    console = README.split("<!-- quickstart:start -->")[1].split("<!-- quickstart:end -->")[0]
    lines = [line for line in console.strip().splitlines() if not line.startswith("```")]
    command, shown = lines[0], lines[1:]
    assert command.startswith("$ curl -si -H 'Origin: https://app.example.com' http://127.0.0.1:8000/")
    port = free_port()
    assert program.count("8000") == 1
    (tmp_path / "app.py").write_text(program.replace("8000", str(port)))
    server = subprocess.Popen([sys.executable, "app.py"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/", headers={"Origin": "https://app.example.com"})
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        response = connection.getresponse()
        headers = response.getheaders()
        connection.close()
    finally:
        server.terminate()
        server.wait(10)
    sent = [f"{name}: {value}" for name, value in headers if re.search("access-control|vary", name, re.I)]
    assert sent == shown


def mentioned_examples() -> List[str]:
    names = set(re.findall(r"examples/([\w.]+\.(?:py|ini))", README))
    names |= {f"{module}.py" for module in re.findall(r"--app (\w+):", README) if module != "module"}
    names |= {f"{module}.py" for module in re.findall(r"--chdir examples '(?:wsgicors:wrap\(\")?(\w+):", README)}
    return sorted(names)


@pytest.mark.parametrize("name", mentioned_examples())
def test_every_example_the_readme_mentions_exists_and_a_test_runs_it(name: str) -> None:
    assert (ROOT / "examples" / name).is_file(), name
    module = name.rsplit(".", 1)[0]
    tests = [path for path in (ROOT / "tests").rglob("*.py")
             if path.name != Path(__file__).name and (module in path.read_text(encoding="utf-8"))]
    assert tests, f"no test runs examples/{name}"


def test_readme_check_example_prints_what_the_readme_shows() -> None:
    block = section("Checking a server the way a browser does").split("```console\n", 1)[1].split("```", 1)[0]
    command, *shown = block.strip().splitlines()
    args = command.removeprefix("$ wsgicors ").split()
    result = subprocess.run([sys.executable, "-m", "wsgicors", *args], cwd=ROOT / "examples",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == shown


@pytest.mark.packaging
def test_the_readme_demo_command_works_literally_in_a_fresh_clone(tmp_path: Path) -> None:
    """Copy the tracked files, run the command with bash as written, open the page, Ctrl-C."""
    command = sh_blocks(section("The two commands"))[0].strip()
    clone = tmp_path / "wsgicors"
    for name in TRACKED:
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    env = {name: value for name, value in os.environ.items()
           if name not in ("VIRTUAL_ENV", "PYTHONPATH", "DISPLAY", "WAYLAND_DISPLAY")}
    env["PATH"] = os.pathsep.join(part for part in env.get("PATH", "").split(os.pathsep)
                                  if not part.startswith(sys.prefix))
    process = subprocess.Popen(["bash", "-c", command], cwd=clone, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen: List[str] = []
    try:
        assert process.stdout is not None
        page = None
        for line in process.stdout:
            seen.append(line)
            found = re.search(r"page: (http://\S+)", line)
            if found:
                page = found.group(1)
                break
        assert page, "".join(seen[-30:])
        with urllib.request.urlopen(page, timeout=30) as response:
            assert b"wsgicors demo" in response.read()
        os.killpg(process.pid, signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
        assert "wsgicors demo: stopped" in rest
        assert (clone / ".venv" / "bin" / "wsgicors").exists(), "the command made and used its own venv"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)
        shutil.rmtree(clone, ignore_errors=True)
