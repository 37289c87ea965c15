"""The one exception configuration raises, and the problems it carries.

Configuration is checked once, up front, and *every* problem is reported in a
single exception: fixing one mistake should never just reveal the next one.
Each problem has a stable code (for docs and tests), the option it concerns,
what is wrong, and a hint saying how to fix it.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple

__all__ = ["ConfigError", "Problem", "CORSConfigWarning", "Code", "CODES"]


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
    """A stable identifier, registered in :data:`CODES` and listed in docs/errors.md."""

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

    def spelt(self, keys: Mapping[str, str]) -> "Problem":
        """This problem with option names spelt as the user wrote them.

        ``keys`` maps option names to what the user set (``allow_credentials``
        -> ``CORS_ALLOW_CREDENTIALS`` in a Flask config, ``cors.allow_credentials``
        in a Bottle or Pyramid one): the problem's own option and every
        ``name=`` the message and hint mention (``'*' cannot be combined with
        allow_credentials=True``) are renamed; other names are left alone.
        """
        if not keys:
            return self
        return Problem(keys.get(self.option, self.option), spelt(self.message, keys), spelt(self.hint, keys),
                       self.code)


def spelt(text: str, keys: Mapping[str, str]) -> str:
    """``text`` with every ``name=`` mention of an option in ``keys`` spelt as ``keys[name]``
    (see :meth:`Problem.spelt`); a ``name:`` that starts it (a warning's option) too."""
    if not keys:
        return text
    names = "|".join(map(re.escape, keys))
    text = re.sub(r"^(" + names + r")(?=:)", lambda match: keys[match.group(1)], text)
    return re.sub(r"(?<![\w.])(" + names + r")(?==)", lambda match: keys[match.group(1)], text)


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


# ------------------------------------------------------------------ registry

class Code(NamedTuple):
    """One error or warning code: what it means and how to fix it."""

    code: str
    """``wsgicors.E104``: stable, cited in docs and tests."""
    concerns: str
    """The option or area it is reported for."""
    message: str
    """The message, with ``{placeholders}`` for what is quoted from the configuration."""
    hint: str
    """The usual fix (the actual hint may be more specific, e.g. a corrected value)."""


#: Every code wsgicors reports, in order. To add one: pick the next free
#: number in its group (E1xx origins, E2xx booleans, E3xx names, E4xx numbers,
#: E5xx rules, E6xx settings and option names, E7xx integrations, W1xx
#: warnings), add a line here, and regenerate docs/errors.md (see its header);
#: the tests check that every code used in the source is listed here and in the docs.
CODES: Dict[str, Code] = {code.code: code for code in (
    Code("wsgicors.E000", "any", "{message}", "(a Problem built without a code)"),
    # -- origins
    Code("wsgicors.E100", "origins", "no origins configured / the list of origins is empty",
         "list the origins allowed to read responses, or '*' for a public resource"),
    Code("wsgicors.E101", "origins", "{value!r} is not a list of origins / not an origin",
         "entries are strings, compiled regular expressions or one callable"),
    Code("wsgicors.E102", "origins", "{pattern!r} is a bytes pattern", "compile a str pattern"),
    Code("wsgicors.E103", "origins", "'*' must be the only entry: it already allows every origin",
         "remove the other entries, or remove '*' to allow only those"),
    Code("wsgicors.E104", "origins", "'*' cannot be combined with allow_credentials=True",
         "list the trusted origins explicitly, or set allow_credentials=False"),
    Code("wsgicors.E105", "origins", "{count} callables given; at most one is allowed",
         "combine them into one function origin -> bool"),
    Code("wsgicors.E106", "origins", "plain-http origins {origins} would get credentialed access",
         "use https, or pass allow_insecure_origins=True if you accept the risk"),
    Code("wsgicors.E107", "origins", "a regex that admits any origin, with allow_credentials=True",
         "match only your own origins, e.g. re.compile(r'https://([a-z0-9-]+\\.)*example\\.com')"),
    Code("wsgicors.E108", "origins", "'null' would get credentialed access",
         "remove 'null', or pass allow_insecure_origins=True if you accept the risk"),
    Code("wsgicors.E109", "origins", "{entry!r}: one entry holds several origins", "list them separately"),
    Code("wsgicors.E110", "origins", "{entry!r}: an origin has no spaces", "remove the spaces"),
    Code("wsgicors.E111", "origins", "{entry!r}: this looks like a regular expression, but strings are matched "
         "literally", "pass re.compile(...) matching the whole origin, or a pattern such as 'https://*.example.com'"),
    Code("wsgicors.E112", "origins", "{entry!r}: an origin is scheme://host[:port]", "add the scheme"),
    Code("wsgicors.E113", "origins", "{entry!r}: a file: page has no origin / the scheme never appears in Origin",
         "file: pages send 'null'; other URLs' requests carry their page's origin"),
    Code("wsgicors.E114", "origins", "{entry!r}: browsers send the scheme and host in lower case",
         "write it in lower case"),
    Code("wsgicors.E115", "origins", "{entry!r}: an origin has no path (a trailing slash)", "remove the slash"),
    Code("wsgicors.E116", "origins", "{entry!r}: an origin has no path", "remove the path"),
    Code("wsgicors.E117", "origins", "{entry!r}: an origin has no query", "remove the query"),
    Code("wsgicors.E118", "origins", "{entry!r}: an origin has no fragment", "remove the fragment"),
    Code("wsgicors.E119", "origins", "{entry!r}: an origin has no user info", "remove the user info"),
    Code("wsgicors.E120", "origins", "{entry!r}: unexpected text after the IPv6 address", "remove it"),
    Code("wsgicors.E121", "origins", "{entry!r}: '*.' must be followed by a registrable domain, not a public "
         "suffix (com, co.uk, com.pl; also a regex admitting a site under one, with credentials)",
         "a pattern for every site under a registry trusts strangers: write 'https://*.example.co.uk'"),
    Code("wsgicors.E122", "origins", "{entry!r}: '*' stands only for whole labels at the start of the host",
         "write 'https://*.example.com', or '*' alone for any origin"),
    Code("wsgicors.E123", "origins", "{entry!r}: the port is not a number, out of range or has leading zeros",
         "use digits (1..65535) without leading zeros, or '*' for any port"),
    Code("wsgicors.E124", "origins", "{entry!r}: browsers omit the default port", "remove the port"),
    Code("wsgicors.E125", "origins", "{entry!r}: the host is missing or not an IPv6 address", "give a host"),
    Code("wsgicors.E126", "origins", "{entry!r}: browsers write IPv6 addresses in their shortest lower-case form",
         "write the shortest form"),
    Code("wsgicors.E127", "origins", "{entry!r}: a host has no empty labels", "remove the extra dots"),
    Code("wsgicors.E128", "origins", "{entry!r}: not a valid host name",
         "letters, digits, '-' and '_' in labels of at most 63 characters"),
    Code("wsgicors.E129", "origins", "{entry!r}: the subdomains of a shared host (github.io, azureedge.net, eu.org; "
         "Public Suffix List, private section) belong to many owners (also a regex admitting one, with credentials)",
         "list your own origins exactly; to trust them all anyway, pass a callable"),
    Code("wsgicors.E130", "origins", "the callable {name!r} needs {count} arguments",
         "take one parameter (the origin) or two (the origin and the WSGI environ)"),
    Code("wsgicors.E131", "origins", "{host!r} is internationalised and the idna package is missing",
         "write the punycode form browsers send, or pip install idna"),
    Code("wsgicors.E132", "origins", "{pattern}: admits {origin!r}, whose registrable domain comes from the "
         "pattern's wildcard (an unescaped '.', or a run not ending at '\\.'), with credentials",
         "write '\\.' for literal dots and match whole labels: r'https://([a-z0-9-]+\\.)*example\\.com'"),
    Code("wsgicors.E133", "origins", "{pattern} can backtrack exponentially (a repetition inside a "
         "repetition with no separator between them)",
         "separate the repeated parts by a literal the inner part cannot match: "
         "r'https://([a-z0-9-]+\\.)*example\\.com', or use a string wildcard"),
    # -- booleans
    Code("wsgicors.E200", "allow_credentials, allow_private_network, allow_insecure_origins, debug, "
         "propagate_exceptions; enabled of Flask's CORS() and @cross_origin, Pyramid's config.add_cors_policy()",
         "{value!r} is not True or False",
         "pass a bool (text such as 'false' is truthy: the hint names the bool it means)"),
    # -- names
    Code("wsgicors.E300", "methods, allow_headers, expose_headers", "{value!r} is not a list of names",
         "pass e.g. ['GET', 'POST'] or '*'"),
    Code("wsgicors.E301", "methods", "the list of methods is empty", "list the methods scripts may use"),
    Code("wsgicors.E302", "methods, allow_headers, expose_headers", "'*' must be the only name",
         "use '*' alone"),
    Code("wsgicors.E303", "methods", "{name!r} is not a valid method name",
         "method names are HTTP tokens such as 'GET' or 'PATCH'"),
    Code("wsgicors.E304", "methods", "{name!r} can never be sent by a browser",
         "remove it (CONNECT, TRACE and TRACK are forbidden methods)"),
    Code("wsgicors.E310", "allow_headers, expose_headers", "{name!r} is not a valid header name",
         "header names are HTTP tokens such as 'content-type'"),
    Code("wsgicors.E311", "allow_headers", "{name!r} is set by the browser and never by a script",
         "remove it; allowing it has no effect"),
    Code("wsgicors.E312", "expose_headers", "{name!r} can never be exposed to script",
         "remove it; browsers hide Set-Cookie from every cross-origin script"),
    Code("wsgicors.E313", "allow_headers, expose_headers, vary", "{name!r} looks like a pattern, but header names "
         "are matched literally", "list each header name, or use '*' for any name"),
    # -- numbers
    Code("wsgicors.E400", "max_age, preflight_status", "{value!r} is not a whole number",
         "pass an int in the option's range"),
    Code("wsgicors.E401", "max_age, preflight_status", "{value} is outside {low}..{high}",
         "max_age: 0..86400 seconds; preflight_status: 200..299"),
    Code("wsgicors.E402", "max_age", "{value!r} is not a whole number of seconds",
         "browsers read whole seconds; use e.g. datetime.timedelta(seconds=600)"),
    # -- rules
    Code("wsgicors.E500", "rules", "{given} were given together",
         "pass policy options for one policy everywhere, or rules=[(pattern, Policy(...)), ...]"),
    Code("wsgicors.E501", "rules[i], policy", "{item!r} is not a (path pattern, policy) pair / not a Policy",
         "write rules=[('/api/*', Policy(origins=[...]))] / policy=Policy(...), or the options as keywords"),
    Code("wsgicors.E502", "rules[i]", "{pattern!r} does not start with '/'",
         "patterns match PATH_INFO, which starts with '/'"),
    Code("wsgicors.E504", "rules", "no rules given", "give at least one (pattern, policy) pair"),
    Code("wsgicors.E505", "rules", "policy options were given to reconfigure() but path rules are in force",
         "pass the complete rules=[...], or policy=Policy(...) for one policy everywhere"),
    # -- settings and option names
    Code("wsgicors.E600", "any option name", "{name}: not an option of {entry}",
         "the option meant: other libraries' names are mapped, misspellings corrected"),
    Code("wsgicors.E601", "a text setting", "{value!r} is not a boolean / not a whole number",
         "write true or false / whole seconds or none (max_age) / a 2xx status (preflight_status)"),
    # -- integrations
    Code("wsgicors.E700", "cors.origins (Pyramid)", "no CORS policy is configured",
         "set cors.origins in the settings or call config.add_cors_policy(origins=[...])"),
    Code("wsgicors.E701", "config.add_cors_policy() (Pyramid)",
         "a path policy declared inside a route_prefix with a placeholder",
         "give its routes a policy with route_name=..., declare it outside the include with the paths "
         "spelled out, or exempt with enabled=False"),
    Code("wsgicors.E702", "config.add_cors_policy(route_name=...) (Pyramid)", "route_name {name!r} names no route",
         "pass the name given to config.add_route(name, pattern)"),
    Code("wsgicors.E710", "a Bottle route's cors", "{value!r} is not False, None, a dict of options or a Policy",
         "write cors=False (or skip=['cors']) to turn CORS off for the route, cors={...} to change options"),
    Code("wsgicors.E711", "a Bottle route", "the app with this CORSPlugin was mounted or merged with its routes "
         "copied into an app without one: the plugin's policy cannot govern them",
         "install CORSPlugin on the app it is mounted into too, or mount it as a WSGI app"),
    Code("wsgicors.E720", "@cross_origin (Flask)", "it marks {method}, a method of a class-based view, which "
         "Flask never consults: the view would get the enclosing policy",
         "list it in the class's decorators (decorators = [cross_origin(...)]); give methods different "
         "policies with separate views"),
    # -- warnings (CORSConfigWarning)
    Code("wsgicors.W101", "origins", "a regex whose '.' or class can match a dot in the host",
         "escape literal dots; anchor labels"),
    Code("wsgicors.W102", "origins", "a regex that admits any origin (without credentials)",
         "if every origin is meant, use origins='*'"),
    Code("wsgicors.W103", "origins", "a regex that admits sites anyone can register, under a public suffix or "
         "through a wildcard in the registrable domain (without credentials; with them E121, E129, E132)",
         "match only your own origins"),
    Code("wsgicors.W104", "rules[i]", "{pattern!r} never applies: the earlier rule {earlier!r} matches every path "
         "it matches", "put the more specific pattern first (the first matching rule wins), or remove it"),
)}


def markdown() -> str:
    """docs/errors.md: every code, its message and its usual fix (a test keeps the file equal)."""
    lines = [
        "# Errors and warnings",
        "",
        "Every configuration problem raises one `wsgicors.ConfigError` listing all problems; each",
        "problem carries one of these codes. Warnings are `wsgicors.CORSConfigWarning`s (make them",
        "fatal with `warnings.simplefilter(\"error\", CORSConfigWarning)`). The message quotes the",
        "value you wrote where the template shows `{...}`; the actual hint is often more specific",
        "(a corrected value). Generated from `wsgicors.errors.CODES`:",
        "`python -c \"from wsgicors.errors import markdown; print(markdown(), end='')\" > docs/errors.md`.",
        "",
        "| code | concerns | message | usual fix |",
        "|---|---|---|---|",
    ]
    for code in CODES.values():
        cells = [f"`{code.code}`", code.concerns, code.message, code.hint]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
