"""The README's promises are checked against the code, so the docs cannot drift."""

import re
from pathlib import Path

import pytest

from wsgicors import ConfigError, Policy

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def documented_errors():
    block = README.split("<!-- errors:start -->")[1].split("<!-- errors:end -->")[0]
    lines = [line for line in block.splitlines() if line and not line.startswith("```")]
    return list(zip(lines[0::2], lines[1::2]))


@pytest.mark.parametrize("call, message", documented_errors())
def test_documented_error_message_is_what_the_code_says(call, message):
    with pytest.raises(ConfigError) as caught:
        eval(call, {"Policy": Policy, "re": re})
    assert str(caught.value.problems[0]) == message.strip()


def test_readme_documents_at_least_ten_errors():
    assert len(documented_errors()) >= 10


def test_readme_test_command_is_the_one_ci_runs():
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    command = ci.strip().splitlines()[-1]
    assert f"```sh\n{command}\n```" in README


def test_every_option_is_documented_with_its_default():
    import inspect

    for name, parameter in inspect.signature(Policy).parameters.items():
        if parameter.kind is not parameter.VAR_KEYWORD:  # **unknown: reported with a hint
            assert f"| `{name}` |" in README, name


def test_readme_quick_start_runs(tmp_path):
    """The quick start block, with serve_forever replaced by one request."""
    block = README.split("## Quick start")[1].split("```python")[1].split("```")[0]
    program = block.replace('make_server("127.0.0.1", 8000, app).serve_forever()', "")
    namespace: dict = {}
    exec(compile(program, "README quick start", "exec"), namespace)
    seen = {}
    namespace["app"]({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_ORIGIN": "https://app.example.com"},
                     lambda status, headers, exc_info=None: seen.update(headers=headers))
    assert ("Access-Control-Allow-Origin", "https://app.example.com") in seen["headers"]
    assert len(block.strip().splitlines()) <= 10


def install_requires():
    import configparser

    parser = configparser.ConfigParser()
    parser.read(Path(__file__).resolve().parents[2] / "setup.cfg", encoding="utf-8")
    return [re.split(r"[<>=!~ ;\[]", line.strip())[0]
            for line in parser["options"]["install_requires"].splitlines() if line.strip()]


@pytest.mark.parametrize("claim", ["standard library only", "none (stdlib)"])
def test_readme_claims_no_stdlib_only_core_while_setup_cfg_requires_packages(claim):
    assert install_requires() and claim not in README


def test_readme_runtime_dependencies_row_names_every_install_requirement():
    row = next(line for line in README.splitlines() if line.startswith("| Runtime dependencies |"))
    wsgicors_cell = row.split("|")[2]
    assert all(f"`{name}`" in wsgicors_cell for name in install_requires()), row


def test_every_gunicorn_command_comes_after_an_install_line_for_gunicorn():
    install = README.find("pip install gunicorn")
    commands = [match.start() for match in re.finditer(r"(?m)^gunicorn |`gunicorn --chdir", README)]
    assert install != -1 and commands and all(install < start for start in commands), README[commands[0] - 200:commands[0]]
