"""The one exception configuration raises, and the problems it carries.

Configuration is checked once, up front, and *every* problem is reported in a
single exception: fixing one mistake should never just reveal the next one.
Each problem has a stable code (for docs and tests), the option it concerns,
what is wrong, and a hint saying how to fix it.
"""

from __future__ import annotations

import os
import sys
from typing import Iterable, List, Optional, Tuple

__all__ = ["ConfigError", "Problem", "CORSConfigWarning"]


class Problem:
    """One thing wrong with a configuration (immutable, compared by value).

    A plain class rather than a dataclass: ``import wsgicors`` loads only what
    the request path needs, and ``dataclasses`` pulls in ``inspect`` and more.
    """

    __slots__ = ("option", "message", "hint", "code")

    option: str
    """The option (``origins``) or, from text settings, the key (``cors.origins``)."""
    message: str
    """What is wrong, quoting the offending value."""
    hint: str
    """How to fix it; empty when the message already says so."""
    code: str
    """A stable identifier, listed in the README's table of errors."""

    def __init__(self, option: str, message: str, hint: str = "", code: str = "wsgicors.E000") -> None:
        set_ = object.__setattr__
        set_(self, "option", option)
        set_(self, "message", message)
        set_(self, "hint", hint)
        set_(self, "code", code)

    def _fields(self) -> Tuple[str, str, str, str]:
        return (self.option, self.message, self.hint, self.code)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (f"Problem(option={self.option!r}, message={self.message!r}, hint={self.hint!r}, "
                f"code={self.code!r})")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: Problem is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: Problem is immutable")

    def __str__(self) -> str:
        text = f"{self.option}: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return f"{text} [{self.code}]"

    def renamed(self, option: str) -> "Problem":
        return Problem(option, self.message, self.hint, self.code)


class ConfigError(ValueError):
    """A CORS configuration was refused; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: List[Problem] = list(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return f"invalid CORS configuration: {self.problems[0]}"
        lines = [f"invalid CORS configuration ({len(self.problems)} problems):"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        return "\n".join(lines)


class CORSConfigWarning(UserWarning):
    """A configuration that works but is probably not what was meant.

    Raised as a warning, not a :class:`ConfigError`, where the check is a
    heuristic that can be wrong (regular expressions); every message carries a
    code such as ``wsgicors.W101`` and the fix. Make it fatal with
    ``warnings.simplefilter("error", CORSConfigWarning)``.
    """


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def user_stacklevel() -> int:
    """The ``stacklevel`` for ``warnings.warn`` that points at the first caller outside wsgicors.

    Called from the function that warns; however deep the configuration code
    nests, the warning names the user's line.
    """
    level, frame = 1, sys._getframe(1)
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _PACKAGE_DIR:
        level, frame = level + 1, frame.f_back  # type: ignore[assignment]
    return level


class Problems:
    """Collects problems while a configuration is checked, then raises once."""

    def __init__(self) -> None:
        self.found: List[Problem] = []

    @staticmethod
    def single(option: str, code: str, message: str, hint: str = "") -> List[Problem]:
        return [Problem(option, message, hint, code)]

    def add(self, option: str, code: str, message: str, hint: str = "") -> None:
        self.found.append(Problem(option, message, hint, code))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.found.extend(problems)

    def raise_if_any(self, rename: Optional[dict] = None) -> None:
        if self.found:
            if rename:
                self.found = [p.renamed(rename.get(p.option, p.option)) for p in self.found]
            raise ConfigError(self.found)
