"""``wsgicors --help`` and each command's ``--help``: one summary line each, examples, exit statuses."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import List

import pytest

from wsgicors.cli import COMMANDS


def helped(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "wsgicors", *args, "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def summary_lines() -> List[str]:
    return [command.help for command in COMMANDS.values()]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_summary_is_one_imperative_sentence(name: str) -> None:
    summary = COMMANDS[name].help
    assert "\n" not in summary and summary.endswith(".") and summary[0].isupper(), summary
    assert len(summary) <= 80 and summary.count(". ") == 0, summary


def test_top_level_help_lists_every_command_with_its_summary_examples_and_exit_statuses() -> None:
    text = helped()
    flat = re.sub(r"\s+", " ", text)
    for name, command in COMMANDS.items():
        assert f"{name} {command.help}" in flat, name
    assert "examples:" in text and "wsgicors demo\n" in text
    assert "exit status:" in text and re.search(r"^  2  usage error", text, re.M)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_help_has_its_summary_examples_and_exit_statuses(name: str) -> None:
    text = helped(name)
    assert text.startswith(f"usage: wsgicors {name}")
    assert COMMANDS[name].help in re.sub(r"\s+", " ", text)
    examples = text.split("examples:\n", 1)[1].split("\n\n", 1)[0]
    assert all(line.strip().startswith(f"wsgicors {name}") for line in examples.splitlines() if line.strip())
    statuses = re.findall(r"^  (\d)  ", text.split("exit status:\n", 1)[1], re.M)
    assert statuses and statuses[0] == "0" and "2" in statuses


def test_check_help_states_the_exit_statuses_the_command_returns() -> None:
    assert re.findall(r"^  (\d)  ", helped("check").split("exit status:")[1], re.M) == ["0", "1", "2"]


def test_check_timeout_help_says_it_bounds_the_whole_run_as_the_docs_do() -> None:
    flat = re.sub(r"\s+", " ", helped("check"))
    assert "seconds the whole run may take" in flat and "network timeout" not in flat
