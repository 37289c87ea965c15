"""``wsgicors check`` on the command line: exit codes 0/1/2, text and ``--json``."""

from __future__ import annotations

import json
import socket
import sys
import textwrap

import pytest

from wsgicors.cli import main

ORIGIN = "https://app.example"
URL = "https://api.example/items"


@pytest.fixture
def app_module(tmp_path, monkeypatch):
    """A module ``checkapp`` with ``good`` (allows ORIGIN) and ``bad`` (trailing slash) apps."""
    (tmp_path / "checkapp.py").write_text(textwrap.dedent(f"""
        from wsgicors import CORSMiddleware

        def api(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]

        good = CORSMiddleware(api, origins=[{ORIGIN!r}], allow_credentials=True)

        def bad(environ, start_response):
            start_response("200 OK", [("Access-Control-Allow-Origin", {ORIGIN + '/'!r})])
            return [b"ok"]
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "checkapp"
    sys.modules.pop("checkapp", None)


def test_allowed_exits_0(app_module, capsys):
    assert main(["check", URL, "--origin", ORIGIN, "--app", f"{app_module}:good"]) == 0
    assert "Verdict: ALLOWED" in capsys.readouterr().out


def test_blocked_exits_1_and_explains(app_module, capsys):
    assert main(["check", URL, "--origin", ORIGIN, "--app", f"{app_module}:bad"]) == 1
    out = capsys.readouterr().out
    assert "BLOCKED" in out and "trailing slash" in out


def test_missing_origin_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["check", URL])
    assert exit_info.value.code == 2


def test_bad_header_option_exits_2(app_module, capsys):
    assert main(["check", URL, "--origin", ORIGIN, "--header", "no-colon", "--app", f"{app_module}:good"]) == 2
    assert "'Name: value'" in capsys.readouterr().err


def test_origin_with_trailing_slash_exits_2_with_a_hint(capsys):
    assert main(["check", URL, "--origin", ORIGIN + "/"]) == 2
    assert "did you mean 'https://app.example'" in capsys.readouterr().err


def test_unknown_app_exits_2(capsys):
    assert main(["check", URL, "--origin", ORIGIN, "--app", "no_such_module_xyz:app"]) == 2
    assert "cannot import" in capsys.readouterr().err


def test_connection_refused_exits_2_with_a_clear_message(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert main(["check", f"http://127.0.0.1:{port}/", "--origin", ORIGIN, "--timeout", "2"]) == 2
    assert "connection refused" in capsys.readouterr().err


def test_json_prints_one_stable_object(app_module, capsys):
    code = main(["check", URL, "--origin", ORIGIN, "--app", f"{app_module}:good", "--json", "--credentials",
                 "-X", "PUT", "-H", "Content-Type: application/json", "--data", "{}"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["verdict"] == "allow" and report["allowed"] is True
    assert [(s["method"], s["status"], s["ok"]) for s in report["steps"]] == [("OPTIONS", 204, True),
                                                                              ("PUT", 200, True)]
    assert set(report["steps"][0]) >= {"method", "url", "status", "ok", "reason"}
    assert report["readable_headers"] == ["content-type"]
    assert set(report) >= {"verdict", "steps", "readable_headers", "warnings", "explanation"}


def test_json_blocked_report(app_module, capsys):
    assert main(["check", URL, "--origin", ORIGIN, "--app", f"{app_module}:bad", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "block" and report["code"] == "acao-mismatch"
    assert report["steps"][0]["ok"] is False and "trailing slash" in report["steps"][0]["reason"]


def test_commands_are_listed_in_one_table_without_import_cycles():
    import subprocess
    import sys

    code = ("import sys, wsgicors.check, wsgicors.demo; assert 'wsgicors.cli' not in sys.modules, 'cycle';"
            "from wsgicors.cli import COMMANDS; print(sorted(COMMANDS))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['check', 'demo']"


@pytest.mark.parametrize("value, preflighted", [("text/plain\x0b", True), ("text/plain\x0c", True),
                                                ("text/plain\xa0", True), ("text/plain\x85", True),
                                                ("text/plain \t", False)])
def test_header_option_trims_only_http_whitespace(app_module, capsys, value, preflighted):
    main(["check", URL, "--origin", ORIGIN, "--app", f"{app_module}:good", "-X", "POST", "-d", "x",
          "-H", f"Content-Type: {value}", "--json"])
    assert json.loads(capsys.readouterr().out)["preflight_needed"] is preflighted


def test_check_modules_import_only_earlier_layers():
    import ast
    from pathlib import Path

    import wsgicors.check as package

    order = ["request", "wire", "engines", "cache", "transport", "report", "cors", "simulate", "cli"]
    root = Path(package.__file__).parent
    for position, name in enumerate(order):
        tree = ast.parse((root / f"{name}.py").read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 1}
        assert imported <= set(order[:position]), (name, imported - set(order[:position]))
