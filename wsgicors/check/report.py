"""The result of a check and how it is shown: steps, verdict, the human report, JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

from ..fetch import ascii_upper
from .engines import DEFAULT_ENGINE, ENGINE_NAMES, ENGINES, EngineVerdict
from .request import SAFELISTED_METHODS, Header


@dataclass
class Step:
    """One request sent (a preflight or a hop of the actual request) and its verdict."""

    kind: str
    """``"preflight"`` or ``"request"`` (each redirect hop is its own request step)."""
    method: str
    url: str
    status: Optional[int]
    ok: bool
    reason: str
    """One plain sentence: why it passed, or why the browser blocks."""
    headers: List[Header] = field(default_factory=list)
    """Response headers as received (name case and order kept)."""
    request_headers: List[Header] = field(default_factory=list)
    """Headers sent, as a browser would send them (``Host`` aside)."""
    code: Optional[str] = None
    """A stable identifier of the failure (``"acao-mismatch"``, ...); None when ok."""

    def to_dict(self) -> Dict[str, Any]:
        return {
            "kind": self.kind, "method": self.method, "url": self.url, "status": self.status,
            "ok": self.ok, "reason": self.reason, "code": self.code,
            "request_headers": [list(h) for h in self.request_headers],
            "headers": [list(h) for h in self.headers],
        }


@dataclass
class CheckResult:
    """What a browser decides about one fetch; see :func:`check`."""

    url: str
    origin: str
    method: str
    credentials: bool
    verdict: str = "block"
    """``"allow"`` (the fetch resolves, script can read the response) or ``"block"``."""
    steps: List[Step] = field(default_factory=list)
    readable_headers: List[str] = field(default_factory=list)
    """Lower-case names of the final response's headers script can read."""
    warnings: List[str] = field(default_factory=list)
    explanation: str = ""
    """The first blocking reason, or a one-line success summary."""
    code: Optional[str] = None
    """The failure code of the blocking step; None when allowed."""
    preflight_needed: bool = False
    """Whether the (first) request needs a preflight at all."""
    preflight_cached: bool = False
    """Whether a cached preflight made sending one unnecessary."""
    unsafe_headers: List[str] = field(default_factory=list)
    """Request header names that are not CORS-safelisted (sorted, lower-case)."""
    status: Optional[int] = None
    """Status of the last response received (None if nothing was sent)."""
    body: bytes = b""
    """Body of the final response when allowed (at most 1 MiB)."""
    browser: str = DEFAULT_ENGINE
    """The engine whose run this is (``check(browser=...)``): its verdict is :attr:`verdict`."""
    engines_found: Dict[str, EngineVerdict] = field(default_factory=dict, repr=False)
    settle: Optional[Callable[[], None]] = field(default=None, repr=False, compare=False)

    @property
    def allowed(self) -> bool:
        return self.verdict == "allow"

    @property
    def engines(self) -> Dict[str, EngineVerdict]:
        """Engine name (``chromium``, ``firefox``, ``webkit``) -> its :class:`EngineVerdict`
        (``.verdict``, ``.allowed``, ``.reason``/``.explanation``, ``.cookies``)."""
        if self.settle is not None and len(self.engines_found) < len(ENGINE_NAMES):
            self.settle()
        return {name: self.engines_found[name] for name in ENGINE_NAMES if name in self.engines_found}

    def disagreements(self) -> List[str]:
        """One sentence for each engine whose verdict differs from :attr:`browser`'s."""
        sentences = []
        for name, found in self.engines.items():
            if name == self.browser or found.verdict == self.verdict:
                continue
            title = ENGINES[name].title
            # matrix: every scenario (each engine's verdict is held to the real engine's)
            if found.allowed:
                sentences.append(f"{title} allows this request.")
            else:
                # matrix: every scenario
                sentences.append(f"{title} blocks this request: {found.reason}")
        return sentences

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-ready dict; keys are stable."""
        return {
            "verdict": self.verdict,
            "allowed": self.allowed,
            "explanation": self.explanation,
            "code": self.code,
            "url": self.url,
            "origin": self.origin,
            "method": self.method,
            "credentials": self.credentials,
            "preflight_needed": self.preflight_needed,
            "preflight_cached": self.preflight_cached,
            "unsafe_headers": list(self.unsafe_headers),
            "status": self.status,
            "steps": [step.to_dict() for step in self.steps],
            "readable_headers": list(self.readable_headers),
            "warnings": list(self.warnings),
            "browser": self.browser,
            "engines": {name: found.to_dict() for name, found in self.engines.items()},
        }

    def _cookie_lines(self) -> List[str]:
        lines = []
        for name, found in self.engines.items():
            for cookie in found.cookies or []:
                # matrix: every cookie row
                fate = "stored and sent on later cross-site requests" if cookie.sent else "NOT sent on later requests"
                lines.append(f"Cookie {_q(cookie.name)} in {ENGINES[name].title}: {fate} ({cookie.reason}).")
        return lines

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def _verdict_line(self) -> str:
        if self.allowed:
            return f"Verdict: ALLOWED - {self.explanation}"
        last = self.steps[-1] if self.steps else None
        if last is not None and not last.ok:
            where = "the preflight" if last.kind == "preflight" else "the response"
            tail = "; no actual request was sent." if last.kind == "preflight" else "."
            return f"Verdict: BLOCKED by {where} (step {len(self.steps)}){tail}"
        return f"Verdict: BLOCKED - {self.explanation}"

    def render(self) -> str:
        """The human report ``wsgicors check`` prints."""
        mode = "with credentials" if self.credentials else "without credentials"
        lines = [f"CORS check: {self.method} {self.url}", f"  from origin {self.origin}, {mode}"]
        if self.preflight_needed:
            why = _preflight_why(self.method, self.unsafe_headers)
            how = "answered from the preflight cache" if self.preflight_cached else "sent"
            lines.append(f"  preflight: needed ({why}); {how}")
        else:
            lines.append("  preflight: not needed (a simple request)")
        for number, step in enumerate(self.steps, 1):
            status = "no response" if step.status is None else str(step.status)
            label = "PASS   " if step.ok else "BLOCKED"
            lines.append(f"{number}. {label} {step.kind} {step.method} {step.url} -> {status}")
            lines.append(f"           {step.reason}")
        lines.append(self._verdict_line())
        if self.allowed:
            lines.append("Readable response headers: " + (", ".join(self.readable_headers) or "(none)"))
        lines.extend(f"Engines differ: {sentence}" for sentence in self.disagreements())
        lines.extend(self._cookie_lines())
        lines.extend(f"Warning: {warning}" for warning in self.warnings)
        return "\n".join(terminal_safe(line) for line in lines)


def _preflight_why(method: str, unsafe: Sequence[str]) -> str:
    reasons = []
    if method not in SAFELISTED_METHODS:
        reasons.append(f"method {method} is not GET/HEAD/POST")
    if unsafe:
        noun = "header" if len(unsafe) == 1 else "headers"
        reasons.append(f"{noun} {', '.join(unsafe)} not CORS-safelisted")
    return "; ".join(reasons) or "forced"



def _sentence(text: str) -> str:
    return ascii_upper(text[:1]) + text[1:]


def _q(value: Optional[str]) -> str:
    """A response value shown in a sentence: quoted, escaped, bounded."""
    if value is None:
        return "absent"
    return "'" + _escaped(value).replace("'", "\\'") + "'"


def _escaped(value: str) -> str:
    """A response value made safe to print: bounded, controls and non-ASCII escaped."""
    text = value if len(value) <= 120 else value[:117] + "..."
    return text.encode("unicode_escape").decode("ascii")




#: Characters a terminal acts on: C0 and C1 controls, DEL, and the bidirectional
#: formatting characters that reorder what is shown (U+061C, U+200E-200F, U+202A-202E, U+2066-2069).
_TERMINAL_UNSAFE = frozenset(list(range(0x20)) + list(range(0x7F, 0xA0)) + [0x061C, 0x200E, 0x200F]
                             + list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A)) + [0x2028, 0x2029])


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on written as a backslash escape.

    Applied to every line ``wsgicors check`` prints, so no server-controlled
    byte (ANSI escape, carriage return, bidi override) reaches the terminal raw.
    """
    if not any(ord(ch) in _TERMINAL_UNSAFE for ch in text):
        return text
    return "".join(ch if ord(ch) not in _TERMINAL_UNSAFE else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)
