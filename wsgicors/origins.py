"""Origins: parsing configured entries, and matching a request's ``Origin``.

Two different jobs live here and must not be confused:

* configured entries are *parsed* once, generously, so that every mistake
  (trailing slash, default port, upper case, ``*`` inside a label, ...) is
  reported with the fix;
* a request's ``Origin`` header is *matched* strictly and cheaply: only the
  exact serialisation a browser sends can ever be admitted, so that look-alike
  strings (``https://a.com.``, ``HTTPS://A.COM``, ``https://a.com:443``, lists,
  paths) fall through every matcher.

Matching cost is independent of how many exact origins and wildcard patterns
are configured: exact origins are one hash look-up, wildcard patterns one
look-up per distinct length of the configured hosts. The commonest fresh
origin, ``https://label.host`` under a ``https://*.host`` entry, is decided
by :meth:`OriginMatcher.decide` in one frame without a regular expression.
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Pattern, Set, Tuple

from . import fetch as _fetch
from .errors import CORSConfigWarning, Problems, user_stacklevel
from .logs import exception_cause, log_limited

__all__ = ["OriginMatcher", "parse_request_origin", "host_to_ascii", "HostError", "MAX_ORIGIN_LENGTH", "LOOPBACK_HOSTS", "shown"]

logger = logging.getLogger("wsgicors")

#: The longest scheme a serialised origin is read with (``safari-web-extension`` has 20).
MAX_SCHEME_LENGTH = 32
#: The longest host: DNS names have at most 253 characters (RFC 1035), an IPv6 literal 41.
MAX_HOST_LENGTH = 253
#: A serialised origin is scheme "://" host [":" port]: anything longer is no
#: origin a browser can send, and is refused before it is read.
MAX_ORIGIN_LENGTH = MAX_SCHEME_LENGTH + len("://") + MAX_HOST_LENGTH + len(":65535")
DEFAULT_PORTS = {scheme: str(_fetch.DEFAULT_PORTS[scheme]) for scheme in ("http", "https")}
WEB_SCHEMES = frozenset(DEFAULT_PORTS)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
ANY_PORT = "*"
#: Decisions that needed the request's origin parsed are remembered per matcher,
#: for this many origins (the table is emptied when full), so a repeated origin
#: costs one look-up whatever the configuration. Every origin short enough to
#: parse is remembered. Only the configuration's fixed answers are remembered:
#: a callable entry is asked on every request.
MEMO_SIZE = 512
MEMO_MAX_LENGTH = MAX_ORIGIN_LENGTH

OriginPredicate = Callable[..., bool]

# What a browser puts in ``Origin``: lower-case scheme and host, punycode, no
# default port, no path. The parts are found with str.partition and checked by
# searching for one bad character, so parsing is linear with no backtracking.
_BAD_SCHEME_CHAR = re.compile(r"[^a-z0-9+.-]")
_BAD_WEB_HOST_CHAR = re.compile(r"[^a-z0-9_.-]")
_BAD_OTHER_HOST_CHAR = re.compile(r"[^A-Za-z0-9_.-]")  # app and extension hosts are opaque: case kept
_BAD_IPV6_CHAR = re.compile(r"[^0-9a-f:.]")
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?", re.IGNORECASE)
_REGEX_HINTS = re.compile(r"[\\^$(|+{]|\.\*")
#: The origin browsers send most, http(s)://host[:port] with a DNS host, in one match:
#: a host of [a-z0-9_.-] that neither starts nor ends with '.' or '-', and a port
#: without a leading zero. parse_request_origin checks the rest (label lengths,
#: '..', '.-', '-.', the port's range); anything else takes its general path.
_WEB_ORIGIN = re.compile(r"(https?)://([a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)(?::([1-9][0-9]{0,4}))?")
#: One host label as browsers send it: [a-z0-9_], '-' inside, at most 63 characters.
_WEB_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
#: The longest origin :meth:`OriginMatcher.decide` answers itself: "http://" + 253, so the
#: host (after "http://" or "https://") is never over :data:`MAX_HOST_LENGTH` characters.
FAST_MAX_LENGTH = len("http://") + MAX_HOST_LENGTH
#: Schemes whose URLs never carry an origin of their own in ``Origin``.
_NO_ORIGIN_SCHEMES = frozenset({"file", "data", "blob", "about", "javascript", "ws", "wss"})


def shown(value: str, limit: int = 80) -> str:
    """A request-derived value made safe for a log line or a header.

    ``ascii()`` quotes it and escapes every control and non-ASCII character
    (CR, LF, NUL, ANSI escapes, bidi overrides), so it can neither forge a log
    line nor split a header; it is cut to ``limit`` characters.
    """
    text = ascii(value[:limit])
    return text + "..." if len(value) > limit else text


def parse_request_origin(value: str) -> Optional[Tuple[str, str, str]]:
    """Split a request's ``Origin`` into (scheme, host, port) or return None.

    Only one serialised origin ``scheme://host[:port]`` parses: a lower-case
    scheme; for http and https a lower-case ASCII host (punycode), an IPv6
    literal, no default port; for other schemes (``capacitor``,
    ``chrome-extension``, ...) a host of letters, digits, ``-``, ``_`` and dots.
    The port is "" when absent. ``null`` does not parse: it is only ever
    matched exactly. Values over :data:`MAX_ORIGIN_LENGTH` characters are
    refused unread; the cost is linear in the value's length.
    """
    if len(value) > MAX_ORIGIN_LENGTH:
        return None
    match = _WEB_ORIGIN.fullmatch(value)
    if match is not None:
        scheme, host, port = match.groups("")
        if (len(host) <= 63 or (len(host) <= MAX_HOST_LENGTH and max(map(len, host.split("."))) <= 63)) and (
                ".." not in host and ".-" not in host and "-." not in host) and (
                not port or (int(port) <= 65535 and port != DEFAULT_PORTS[scheme])):
            return scheme, host, port
        return None  # the general path below refuses it too (tests/benchmarks/test_fast_path.py)
    scheme, sep, rest = value.partition("://")
    if (not sep or not scheme or len(scheme) > MAX_SCHEME_LENGTH or not "a" <= scheme[0] <= "z"
            or _BAD_SCHEME_CHAR.search(scheme) is not None):
        return None
    web = scheme in WEB_SCHEMES
    if rest[:1] == "[":
        host, bracket, after = rest.partition("]")
        if not bracket or len(host) < 2 or _BAD_IPV6_CHAR.search(host, 1) is not None:
            return None
        host += "]"
    else:
        host, colon, after = rest.partition(":")
        after = colon + after
        if (not host or len(host) > MAX_HOST_LENGTH
                or (_BAD_WEB_HOST_CHAR if web else _BAD_OTHER_HOST_CHAR).search(host) is not None):
            return None
        # Only [A-Za-z0-9_.-] are left, so the labels are valid when none is empty,
        # none starts or ends with '-', none is over 63 characters.
        if (host[0] in ".-" or host[-1] in ".-" or ".." in host or ".-" in host or "-." in host
                or (len(host) > 63 and max(map(len, host.split("."))) > 63)):
            return None
    port = ""
    if after:
        port = after[1:]
        if (after[0] != ":" or not 0 < len(port) <= 5 or not port.isdigit() or not port.isascii()
                or port[0] == "0" or int(port) > 65535 or port == DEFAULT_PORTS.get(scheme)):
            return None
    return scheme, host, port


class HostError(ValueError):
    """A host that cannot be written as browsers write it; ``hint`` says what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message + (f"; {hint}" if hint else ""))
        self.reason = message
        self.hint = hint


#: What to install when the ``idna`` package is missing.
IDNA_INSTALL_HINT = "pip install idna (a dependency of wsgicors; it is missing from this environment)"


def host_to_ascii(host: str) -> str:
    """The host as a browser writes it in an origin: lower-case ASCII, punycode labels.

    Internationalised hosts are converted by UTS #46 processing,
    non-transitional (IDNA 2008, the WHATWG URL standard's "domain to ASCII"
    as Chromium, Firefox and Safari apply it): ``faß.de`` becomes
    ``xn--fa-hia.de``, ``βόλος.gr`` keeps its final sigma, full-width letters
    and ideographic full stops are mapped, a zero-width joiner is kept where
    CONTEXTJ allows it. Python's ``"idna"`` codec is never used: it implements
    IDNA 2003 (``faß.de`` -> ``fass.de``, another registrant's domain).

    ASCII hosts are only lower-cased, so names browsers accept outside IDNA
    (``under_score.example``) keep working. Non-ASCII hosts need the ``idna``
    package (a dependency of wsgicors, imported only here, at configuration
    time).

    :param host: a host name without brackets, port or trailing dot.
    :returns: the ASCII host.
    :raises HostError: (a ``ValueError``) the host is not a valid
        internationalised domain name (IDNA 2008 refuses symbols and emoji
        that browsers still accept, so this may refuse what a browser admits:
        ``hint`` then names the punycode form to write instead), or ``idna``
        is not installed (``hint`` names the punycode form when it can, and
        the package to install).
    """
    if host.isascii():
        return host.lower()
    try:
        import idna
    except ImportError:
        guess = _punycode_guess(host)
        raise HostError(
            f"{host!r} is internationalised, and converting it as browsers do needs the idna package",
            (f"write the punycode form browsers send, {guess!r}, or " if guess else "write the punycode form "
             "browsers send (the host part of `new URL(...).origin` in a browser console), or ")
            + IDNA_INSTALL_HINT) from None
    try:
        mapped = idna.uts46_remap(host, std3_rules=False, transitional=False)
        labels = []
        for label in mapped.split("."):
            if label.isascii():
                labels.append(label)
            else:
                labels.append(idna.alabel(label).decode("ascii"))
        return ".".join(labels)
    except (idna.IDNAError, UnicodeError, ValueError) as error:
        guess = _punycode_guess(host)
        raise HostError(
            f"{host!r} is not a valid internationalised domain name ({error})",
            f"if a browser accepts this host, write the punycode form it sends, probably {guess!r}" if guess
            else "check the spelling; browsers refuse such hosts") from None


def _punycode_guess(host: str) -> str:
    """Each label's RFC 3492 punycode, when no mapping can change the host; else ""."""
    import unicodedata

    if host != host.lower() or unicodedata.normalize("NFC", host) != host or any(
            unicodedata.category(char) in ("Cf", "Zs") or unicodedata.normalize("NFKC", char) != char
            for char in host):
        return ""
    try:
        return ".".join(label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
                        for label in host.split("."))
    except UnicodeError:
        return ""


class OriginMatcher:
    """Decides whether a request's ``Origin`` is allowed; built from config."""

    __slots__ = ("any_origin", "exact", "subdomains", "any_port", "patterns", "predicate", "predicate_takes_environ",
                 "_needs_parse", "_memo", "_suffix_tails", "_suffix_any_port", "_suffix_lengths", "_pattern_scan",
                 "label_hosts")

    def __init__(
        self,
        *,
        any_origin: bool = False,
        exact: FrozenSet[str] = frozenset(),
        subdomains: FrozenSet[Tuple[str, str, str]] = frozenset(),
        any_port: FrozenSet[Tuple[str, str]] = frozenset(),
        patterns: Tuple[Pattern[str], ...] = (),
        predicate: Optional[OriginPredicate] = None,
        predicate_takes_environ: bool = False,
    ) -> None:
        self.any_origin = any_origin
        self.exact = exact
        self.subdomains = subdomains
        self.any_port = any_port
        self.patterns = patterns
        self.predicate = predicate
        self.predicate_takes_environ = predicate_takes_environ
        self._needs_parse = bool(subdomains or any_port or patterns or predicate)
        self._memo: Dict[str, bool] = {}
        # The '*.' entries as the end of a request origin, per scheme: "." + host
        # + ":port" (no port: the default), and "." + host for ':*' ports; and the
        # hosts' lengths. A request origin is looked up once per length (one slice,
        # one set look-up), so the cost grows with the number of distinct lengths,
        # never with the number of entries or the host's labels.
        self._suffix_tails: Dict[str, FrozenSet[str]] = _by_scheme(
            (scheme, f".{host}:{port}" if port else f".{host}") for scheme, host, port in subdomains if port != ANY_PORT)
        self._suffix_any_port: Dict[str, FrozenSet[str]] = _by_scheme(
            (scheme, f".{host}") for scheme, host, port in subdomains if port == ANY_PORT)
        self._suffix_lengths = tuple(sorted({len(host) for _, host, _ in subdomains}))
        self._pattern_scan = _combine(patterns)
        #: decide()'s table (and wsgicors/_speedups.c's, which answers the same two fast cases):
        #: the hosts of the '*.' entries with the default port, per scheme, each kept only if a
        #: one-label subdomain of it parses, so that one valid label before it makes an origin
        #: parse_request_origin accepts
        fast: Dict[str, Set[str]] = {}
        for scheme, host, port in subdomains:
            if port == "" and scheme in WEB_SCHEMES and parse_request_origin(f"{scheme}://a.{host}") == (
                    scheme, f"a.{host}", ""):
                fast.setdefault(scheme, set()).add(host)
        self.label_hosts: Dict[str, FrozenSet[str]] = {scheme: frozenset(hosts) for scheme, hosts in fast.items()}

    def allows(self, origin: str, environ: Optional[Mapping[str, Any]] = None) -> bool:
        """True when ``origin`` (the raw header value) is allowed.

        ``environ`` is the request's WSGI environ, handed to a callable entry
        that takes two parameters (``{}`` when not given); nothing else reads it.
        """
        if self.any_origin:
            return True
        if len(origin) > MAX_ORIGIN_LENGTH:
            return False
        if origin in self.exact:
            return True
        if not self._needs_parse:
            return False
        memo = self._memo
        known = memo.get(origin)
        if known is not None:
            return known
        fixed = self._fixed_answer(origin)
        if fixed is not None:
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[origin] = fixed
            return fixed
        return self._ask_predicate(origin, environ)

    def decide(self, origin: str, environ: Optional[Mapping[str, Any]] = None) -> bool:
        """What :meth:`allows` answers, decided afresh: its memory is neither read nor filled.

        For a caller that remembers the answer itself
        (:meth:`wsgicors.fastpath.PolicyState.actual`), so that one decision
        is not stored twice. Two kinds of origin are decided in this one
        frame, with no regular expression for the commonest: an exact origin
        (a set look-up), and ``scheme://label.host`` with ``http(s)``, the
        default port and ``scheme://*.host`` configured (two
        ``str.partition``, a set look-up, then the label checked by
        ``str.isalnum``/``isascii``/``islower``, or when that fails by one
        regular expression for a label). The cost does not grow with the
        number of entries. Every other origin takes the general path
        (:func:`parse_request_origin`), so the answer is always
        :meth:`allows`' (``tests/core/test_origin_fast_check.py``). The C
        twin of :attr:`wsgicors.fastpath.PolicyState.remembered` answers the
        same two cases from the same tables (:attr:`exact`,
        :attr:`label_hosts`; ``tests/core/test_speedups.py``). Only the
        exact serialisation a browser sends is admitted (the ``Origin`` header,
        RFC 6454 §7; the HTML standard's "serialization of an origin").

        :param origin: the raw ``Origin`` header value (a ``str``).
        :param environ: as for :meth:`allows`: handed to a callable entry only.
        :returns: True when the origin is allowed. Never raises (a callable
            entry that raises refuses, as in :meth:`allows`).
        """
        if self.any_origin:  # allows()' order, to the memory
            return True
        size = len(origin)
        if size > MAX_ORIGIN_LENGTH:
            return False
        if origin in self.exact:
            return True
        if not self._needs_parse:
            return False
        if size <= FAST_MAX_LENGTH:
            head, _, rest = origin.partition(".")
            scheme, _, label = head.partition("://")
            hosts = self.label_hosts.get(scheme)
            # scheme "://" label "." host, host a '*.' entry's (valid with any valid label before it,
            # and at most 253 characters with it): valid when the label is [a-z0-9_] with '-' only
            # inside and at most 63 characters: what parse_request_origin accepts, (scheme, host, "")
            if hosts is not None and rest in hosts and (
                    (label.isalnum() and label.isascii() and label.islower() and len(label) <= 63)
                    or _WEB_LABEL.fullmatch(label) is not None):
                return True
        answer = self._fixed_answer(origin)
        return answer if answer is not None else self._ask_predicate(origin, environ)

    def _fixed_answer(self, origin: str) -> Optional[bool]:
        """The answer of every entry but the callable; None when only the callable can decide."""
        parsed = parse_request_origin(origin)
        if parsed is None:
            return False
        scheme, host, port = parsed
        if self.any_port and (scheme, host) in self.any_port:
            return True
        if self._suffix_lengths:
            tails, any_port, size = self._suffix_tails.get(scheme), self._suffix_any_port.get(scheme), len(host)
            end = len(scheme) + 3 + size  # the request origin is scheme "://" host [":" port]
            for length in self._suffix_lengths:
                if length >= size:
                    break
                # "." + the host's last `length` characters (+ ":" port): a '*.' entry's tail
                if (tails is not None and origin[end - length - 1:] in tails) or (
                        any_port is not None and host[size - length - 1:] in any_port):
                    return True
        for pattern in self._pattern_scan:
            if pattern.fullmatch(origin):
                return True
        return None if self.predicate is not None else False

    def _ask_predicate(self, origin: str, environ: Optional[Mapping[str, Any]]) -> bool:
        predicate = self.predicate
        if predicate is None:
            return False
        try:
            if self.predicate_takes_environ:
                return predicate(origin, environ if environ is not None else {}) is True
            return predicate(origin) is True
        except Exception as error:  # a buggy predicate refuses; it never breaks the response
            # No traceback: the exception's text may quote the request's origin. Once per
            # cause per interval: every request could trigger it.
            log_limited(logging.ERROR, exception_cause("origin predicate", error),
                        "wsgicors: origin predicate raised %s for origin %s; refused",
                        shown(f"{type(error).__name__}: {error}", 200), shown(origin))
            return False

    def describe(self) -> str:
        if self.any_origin:
            return "'*'"
        parts: List[str] = [repr(o) for o in sorted(self.exact)]
        parts += sorted(repr(f"{s}://*.{h}" + ("" if p == "" else f":{p}")) for s, h, p in self.subdomains)
        parts += sorted(repr(f"{s}://{h}:*") for s, h in self.any_port)
        parts += [f"re.compile({p.pattern!r})" for p in self.patterns]
        if self.predicate is not None:
            parts.append(getattr(self.predicate, "__name__", repr(self.predicate)))
        return "[" + ", ".join(parts) + "]"


def _by_scheme(pairs: Iterable[Tuple[str, str]]) -> Dict[str, FrozenSet[str]]:
    grouped: Dict[str, Set[str]] = {}
    for scheme, text in pairs:
        grouped.setdefault(scheme, set()).add(text)
    return {scheme: frozenset(texts) for scheme, texts in grouped.items()}


_DEFAULT_FLAGS = re.compile("").flags
#: constructs whose meaning depends on group numbers or names: such a pattern is never combined
_NOT_COMBINABLE = re.compile(r"\\[1-9]|\(\?P[=<]|\(\?<|\(\?\(")


def _combine(patterns: Tuple[Pattern[str], ...]) -> Tuple[Pattern[str], ...]:
    """The regex entries as few patterns as possible, for a scan that asks them all.

    Patterns with the default flags and no group references or names become
    one alternation, ``(?:p1)|(?:p2)|...``: ``fullmatch`` of it is true
    exactly when one of them fully matches, and the regex engine tries them
    all in one call instead of one Python call each (1,000 regexes: about 40
    times cheaper). The others are kept as they are, after it.
    """
    combinable = [p for p in patterns if p.flags == _DEFAULT_FLAGS and not _NOT_COMBINABLE.search(p.pattern)]
    if len(combinable) < 2:
        return patterns
    try:
        combined = re.compile("|".join(f"(?:{p.pattern})" for p in combinable))
    except (re.error, RecursionError, OverflowError):
        return patterns
    return (combined,) + tuple(p for p in patterns if p not in combinable)


# --------------------------------------------------------------------------
# Configuration parsing
# --------------------------------------------------------------------------


def build_matcher(
    entries: Any,
    problems: Problems,
    *,
    allow_credentials: bool,
    allow_insecure_origins: bool,
) -> OriginMatcher:
    """Parse the ``origins`` option, recording every problem found."""
    option = "origins"
    if entries is None:
        problems.add(option, "wsgicors.E100", "no origins configured",
                     "list the origins allowed to read responses, or '*' for a public resource")
        return OriginMatcher()
    if isinstance(entries, str):
        entries = _split_words(entries)
    elif isinstance(entries, Pattern) or callable(entries):
        entries = [entries]
    else:
        try:
            entries = list(entries)
        except TypeError:
            problems.add(option, "wsgicors.E101", f"{entries!r} is not a list of origins",
                         "pass a list such as ['https://app.example.com']")
            return OriginMatcher()
    if not entries:
        problems.add(option, "wsgicors.E100", "the list of origins is empty, so nothing would be allowed",
                     "list the origins allowed to read responses, or '*' for a public resource")
        return OriginMatcher()

    exact: Set[str] = set()
    subdomains: Set[Tuple[str, str, str]] = set()
    any_port: Set[Tuple[str, str]] = set()
    patterns: List[Pattern[str]] = []
    predicates: List[OriginPredicate] = []
    dot_crossing: Set[Pattern[str]] = set()
    insecure: List[str] = []

    for entry in entries:
        if isinstance(entry, Pattern):
            if not isinstance(entry.pattern, str):
                problems.add(option, "wsgicors.E102", f"{entry!r} is a bytes pattern",
                             "compile a str pattern: re.compile(r'https://app\\.example\\.com')")
            else:
                patterns.append(entry)
            continue
        if callable(entry):
            predicates.append(entry)
            continue
        if not isinstance(entry, str):
            problems.add(option, "wsgicors.E101", f"{entry!r} is not an origin",
                         "entries are strings, compiled regular expressions or one callable")
            continue
        if entry == "*":
            if len(entries) > 1:
                problems.add(option, "wsgicors.E103", "'*' must be the only entry: it already allows every origin",
                             "remove the other entries, or remove '*' to allow only those")
            elif allow_credentials:
                problems.add(option, "wsgicors.E104", "'*' cannot be combined with allow_credentials=True: "
                             "browsers refuse credentialed responses for '*'",
                             "list the trusted origins explicitly, or set allow_credentials=False")
            else:
                return OriginMatcher(any_origin=True)
            continue
        if entry == "null":
            exact.add("null")
            continue
        parsed = _parse_config_origin(entry, problems)
        if parsed is None:
            continue
        kind, scheme, host, port = parsed
        if scheme == "http" and host not in LOOPBACK_HOSTS:
            insecure.append(entry)
        if kind == "subdomains":
            shared = shared_suffix(host)
            if shared is not None:
                code, message, hint = _strangers_problem(scheme, host, shared)
                problems.add(option, code, f"{entry!r}: {message}", hint)
                continue
            subdomains.add((scheme, host, port))
        elif port == ANY_PORT:
            any_port.add((scheme, host))
        else:
            exact.add(f"{scheme}://{host}" + (f":{port}" if port else ""))

    for pattern in patterns:
        if _warn_dot_crossing(pattern):
            dot_crossing.add(pattern)
    if len(predicates) > 1:
        problems.add(option, "wsgicors.E105", f"{len(predicates)} callables given; at most one is allowed",
                     "combine them into one function origin -> bool")
    takes_environ = bool(predicates) and _takes_environ(predicates[0], problems)
    if allow_credentials and insecure and not allow_insecure_origins:
        problems.add(option, "wsgicors.E106",
                     "plain-http origins " + ", ".join(repr(o) for o in insecure)
                     + " would get credentialed access: anyone on the network can impersonate them",
                     "use https, or pass allow_insecure_origins=True if you accept the risk")
    if allow_credentials and "null" in exact and not allow_insecure_origins:
        problems.add(option, "wsgicors.E108",
                     "'null' would get credentialed access, but any page can send 'Origin: null' "
                     "(from a sandboxed iframe or a data: URL)",
                     "remove 'null', or pass allow_insecure_origins=True if you accept the risk")
    refused = _check_admits_anyone(patterns, problems, allow_credentials, dot_crossing)
    for pattern in patterns:
        _check_regex_cost(pattern, problems)
        if allow_credentials and not allow_insecure_origins and pattern not in refused:
            _check_regex_insecure(pattern, problems)
    return OriginMatcher(
        exact=frozenset(exact),
        subdomains=frozenset(subdomains),
        any_port=frozenset(any_port),
        patterns=tuple(patterns),
        predicate=predicates[0] if predicates else None,
        predicate_takes_environ=takes_environ,
    )


def _takes_environ(predicate: OriginPredicate, problems: Problems) -> bool:
    """Whether a callable entry is called ``fn(origin, environ)`` (two positional parameters) or ``fn(origin)``.

    A callable whose signature cannot be read (some built-ins) is called
    ``fn(origin)``. One that needs more than two arguments is refused (E130).
    """
    import inspect  # configuration only: not loaded by `import wsgicors`

    try:
        signature = inspect.signature(predicate)
    except (TypeError, ValueError):
        return False
    positional = [p for p in signature.parameters.values()
                  if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    required = [p for p in signature.parameters.values() if p.default is inspect.Parameter.empty
                and p.kind is not inspect.Parameter.VAR_POSITIONAL and p.kind is not inspect.Parameter.VAR_KEYWORD]
    if len(required) > 2:
        problems.add("origins", "wsgicors.E130",
                     f"the callable {getattr(predicate, '__qualname__', predicate)!r} needs {len(required)} "
                     "arguments, but it is called fn(origin) or fn(origin, environ)",
                     "take one parameter (the origin) or two (the origin and the WSGI environ)")
        return False
    return len(positional) >= 2


def shared_suffix(host: str) -> Optional[Tuple[str, str]]:
    """(suffix, section) when the subdomains of ``host`` belong to different owners; else None.

    True when a name under ``host`` is itself a public suffix or sits right
    under one (Public Suffix List, ICANN or private section, see
    :mod:`wsgicors.psl`), or ``host`` is one of :data:`SHARED_HOSTS`.
    ``host`` is lower-case ASCII. Read at configuration time only.
    """
    from .psl import public_suffix_of

    if host in SHARED_HOSTS:
        return host, "private"
    found = public_suffix_of(f"{_PROBE_LABEL}.{host}")
    if found is not None and len(found[0]) >= len(host):
        return host, found[1]
    return None


def _strangers_problem(scheme: str, host: str, shared: Tuple[str, str]) -> Tuple[str, str, str]:
    """The code, message and hint for trusting every site under a shared suffix."""
    if shared[1] == "icann":
        return ("wsgicors.E121",
                f"'{host}' is a public suffix (a registry such as a top-level domain), "
                "so every site under it belongs to whoever registers it",
                f"did you mean '{scheme}://*.example.{host}'? a pattern for every '.{host}' site trusts strangers")
    return ("wsgicors.E129",
            f"the subdomains of {host!r} belong to many different owners, so this trusts strangers' sites",
            f"list your own origins exactly, e.g. '{scheme}://yourname.{host}'; to trust them all anyway, "
            "pass a callable")


def _split_words(text: str) -> List[str]:
    return [word for word in re.split(r"[\s,]+", text) if word]


def _parse_config_origin(entry: str, problems: Problems) -> Optional[Tuple[str, str, str, str]]:
    """Parse one configured origin string into (kind, scheme, host, port).

    ``kind`` is "exact" or "subdomains"; ``port`` is "" for the default port
    and "*" for any port. Returns None after recording a problem.
    """
    option = "origins"
    shown = repr(entry)

    def refuse(code: str, message: str, hint: str = "") -> None:
        problems.add(option, code, f"{shown}: {message}", hint)

    if "," in entry:
        refuse("wsgicors.E109", "one entry holds several origins",
               f"list them separately: {[part.strip() for part in entry.split(',') if part.strip()]!r}")
        return None
    if entry != entry.strip() or any(c.isspace() for c in entry):
        refuse("wsgicors.E110", "an origin has no spaces",
               f"did you mean {entry.split()[0]!r}?" if entry.split() else "remove the entry")
        return None
    head, sep, tail = entry.partition("://")
    # '+' and '.' are scheme characters ('git+ssh://'): only a well-formed scheme's rest is checked
    if _REGEX_HINTS.search(tail if sep and head and head[0].isalpha() and head.isascii()
                           and _BAD_SCHEME_CHAR.search(head) is None else entry):
        refuse("wsgicors.E111", "this looks like a regular expression, but strings are matched literally",
               "pass a compiled pattern that matches the whole origin, with literal dots escaped, "
               "e.g. re.compile(r'https://[a-z0-9-]+\\.example\\.com'); "
               "for subdomains a pattern such as 'https://*.example.com' needs no regex")
        return None
    scheme, sep, rest = entry.partition("://")
    if not sep:
        refuse("wsgicors.E112", "an origin is scheme://host[:port]",
               f"did you mean 'https://{entry.strip('/')}'?")
        return None
    if scheme.lower() == "file":
        refuse("wsgicors.E113", "pages opened from file: URLs have no origin of their own",
               "they send 'Origin: null', which any sandboxed frame or data: URL page sends too; "
               "list 'null' on its own only if you accept that")
        return None
    if scheme.lower() in _NO_ORIGIN_SCHEMES:
        refuse("wsgicors.E113", f"the scheme {scheme!r} never appears in an Origin header",
               f"a {scheme}: URL's requests carry the origin of the page that made them, "
               f"e.g. 'https://{rest.split('/')[0] or 'app.example.com'}'")
        return None
    if not scheme or not scheme[0].isalpha() or not scheme.isascii() or _BAD_SCHEME_CHAR.search(scheme.lower()):
        refuse("wsgicors.E113", f"{scheme!r} is not a URL scheme",
               "a scheme is a letter followed by letters, digits, '+', '-' or '.'")
        return None
    if scheme != scheme.lower():
        fixed = entry.lower() if entry.isascii() else entry.replace(scheme, scheme.lower(), 1)
        refuse("wsgicors.E114", "browsers send the scheme and host in lower case",
               f"did you mean {fixed!r}?")
        return None

    authority, rest_start = rest, ""
    for index, char in enumerate(rest):
        if char in "/?#":
            authority, rest_start = rest[:index], rest[index:]
            break
    suggestion = f"did you mean '{scheme}://{authority.rpartition('@')[2]}'?"
    if rest_start:
        if rest_start == "/":
            refuse("wsgicors.E115", "an origin has no path", suggestion + " (browsers send no trailing slash)")
        elif rest_start[0] == "/":
            refuse("wsgicors.E116", "an origin has no path", suggestion)
        elif rest_start[0] == "?":
            refuse("wsgicors.E117", "an origin has no query", suggestion)
        else:
            refuse("wsgicors.E118", "an origin has no fragment", suggestion)
        return None
    if "@" in authority:
        refuse("wsgicors.E119", "an origin has no user info", suggestion)
        return None

    if authority.startswith("["):
        host, bracket, after = authority.partition("]")
        host += bracket
        if after and not after.startswith(":"):
            refuse("wsgicors.E120", "unexpected text after the IPv6 address")
            return None
        port = after[1:]
        has_port = bool(after)
    else:
        host, colon, port = authority.partition(":")
        has_port = bool(colon)

    port_text = _check_port(scheme, host, port, has_port, refuse)
    if port_text is None:
        return None

    kind = "exact"
    if scheme not in WEB_SCHEMES and (host.startswith("*") or port_text == ANY_PORT):
        refuse("wsgicors.E113", f"'*.' subdomains and ':*' ports are for http and https origins, not {scheme}:",
               f"list each {scheme} origin exactly, as the app or extension sends it, "
               f"e.g. '{scheme}://{host.lstrip('*.') or 'localhost'}'")
        return None
    if host.startswith("*."):
        kind, host = "subdomains", host[2:]
        if "." not in host.strip("."):
            refuse("wsgicors.E121", "'*.' must be followed by a registrable domain, not a top-level domain",
                   f"did you mean '{scheme}://*.example.{host}'? a pattern for every '.{host}' site trusts strangers")
            return None
    if "*" in host:
        if host == "*":
            refuse("wsgicors.E122", "'*' as a host is not a pattern", "to allow any origin use '*' alone")
        else:
            refuse("wsgicors.E122", "'*' stands only for whole labels at the start of the host",
                   _wildcard_hint(scheme, host))
        return None
    normal_host = _normalise_host(host, refuse, scheme, port_text, kind)
    if normal_host is None:
        return None
    return kind, scheme, normal_host, port_text


def _wildcard_hint(scheme: str, host: str) -> str:
    labels = host.split(".")
    last = max(index for index, label in enumerate(labels) if "*" in label)
    # '*example.com' most likely meant '*.example.com'; 'a*.example.com' meant '*.example.com'.
    keep = labels[last].startswith("*") and labels[last] != "*"
    tail = ([labels[last].lstrip("*")] if keep else []) + labels[last + 1 :]
    tail = [label for label in tail if label]
    if len(tail) < 2:
        return "write it like 'https://*.example.com'"
    return f"did you mean '{scheme}://*.{'.'.join(tail)}'?"


def _check_port(scheme: str, host: str, port: str, has_port: bool, refuse: Callable[..., None]) -> Optional[str]:
    if not has_port:
        return ""
    if port == ANY_PORT:
        return ANY_PORT
    if not port.isdigit() or not port.isascii():
        refuse("wsgicors.E123", f"the port {port!r} is not a number", "use digits, or '*' for any port")
        return None
    if not 0 < int(port) <= 65535:
        refuse("wsgicors.E123", f"the port {port} is out of range", "ports run from 1 to 65535")
        return None
    if str(int(port)) == DEFAULT_PORTS.get(scheme):
        refuse("wsgicors.E124", f"browsers omit the default port {port} of {scheme}",
               f"did you mean '{scheme}://{host}'?")
        return None
    if port != str(int(port)):
        refuse("wsgicors.E123", f"browsers write the port {port} without leading zeros",
               f"did you mean '{scheme}://{host}:{int(port)}'?")
        return None
    return port


def _normalise_host(host: str, refuse: Callable[..., None], scheme: str, port: str, kind: str) -> Optional[str]:
    prefix = f"{scheme}://" + ("*." if kind == "subdomains" else "")
    suffix = f":{port}" if port else ""
    if not host:
        refuse("wsgicors.E125", "the host is missing")
        return None
    if host.startswith("["):
        try:
            import ipaddress  # configuration only: not loaded by `import wsgicors`

            address = ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            refuse("wsgicors.E125", f"{host} is not an IPv6 address")
            return None
        canonical = f"[{address.compressed}]"
        if canonical != host:
            refuse("wsgicors.E126", "browsers write IPv6 addresses in their shortest lower-case form",
                   f"did you mean '{prefix}{canonical}{suffix}'?")
            return None
        return host
    if scheme not in WEB_SCHEMES:
        # An app's or extension's host is opaque: matched as written (case kept), never converted.
        if not host.isascii() or not all(_HOST_LABEL.fullmatch(label) for label in host.split(".")):
            refuse("wsgicors.E128", f"a {scheme}: host holds only ASCII letters, digits, '-' and '_', in dot-"
                   "separated labels", "write it exactly as the app or extension sends it in Origin")
            return None
        return host
    if host.isascii() and host != host.lower():
        refuse("wsgicors.E114", "browsers send the scheme and host in lower case",
               f"did you mean '{prefix}{host.lower()}{suffix}'?")
        return None
    if host.endswith(".") or ".." in host or host.startswith("."):
        refuse("wsgicors.E127", "a host has no empty labels (no leading, trailing or double dots)",
               f"did you mean '{prefix}{'.'.join(l for l in host.split('.') if l)}{suffix}'?")
        return None
    if not host.isascii():
        try:
            host = host_to_ascii(host)
        except HostError as error:
            refuse("wsgicors.E131" if IDNA_INSTALL_HINT in error.hint else "wsgicors.E128", error.reason,
                   error.hint)
            return None
    if not all(_HOST_LABEL.fullmatch(label) for label in host.split(".")):
        refuse("wsgicors.E128", "a host holds only letters, digits, '-' and '_', "
               "in labels of at most 63 characters that neither start nor end with '-'")
        return None
    return host


# --------------------------------------------------------------------------
# Hazard checks: configurations that parse but trust more than was meant
# --------------------------------------------------------------------------

#: Hosts whose subdomains belong to different customers (hosting platforms);
#: ``*.github.io`` would trust every GitHub user's page. The Public Suffix List
#: (:mod:`wsgicors.psl`) names most of them and every registry (``co.uk``); this
#: list adds platforms missing from it (``glitch.me``, ``netlify.com``, ...).
SHARED_HOSTS = frozenset({
    "github.io", "gitlab.io", "bitbucket.io", "herokuapp.com", "vercel.app", "now.sh",
    "netlify.app", "netlify.com", "pages.dev", "workers.dev", "web.app", "firebaseapp.com",
    "appspot.com", "azurewebsites.net", "azurestaticapps.net", "cloudapp.net", "cloudfront.net",
    "amazonaws.com", "s3.amazonaws.com", "elasticbeanstalk.com", "blogspot.com", "wordpress.com",
    "glitch.me", "ngrok.io", "ngrok.app", "ngrok-free.app", "repl.co", "replit.dev",
    "onrender.com", "fly.dev", "railway.app", "surge.sh", "readthedocs.io", "codesandbox.io",
    "csb.app", "stackblitz.io", "gitpod.io", "trycloudflare.com", "loca.lt", "deno.dev",
    "r2.dev", "pythonanywhere.com", "ondigitalocean.app", "web.core.windows.net",
})
#: Origins under the reserved ``.invalid`` domain (RFC 2606): no configuration
#: should admit them, so a matcher that does admits every origin.
CANARY_ORIGINS = ("https://wsgicors-canary.invalid", "http://wsgicors-canary.invalid:8080")
#: The label put under each public suffix to ask whether a pattern admits strangers' sites.
_PROBE_LABEL = "probe"


def _check_admits_anyone(patterns: List[Pattern[str]], problems: Problems, allow_credentials: bool,
                         warned: Set[Pattern[str]]) -> Set[Pattern[str]]:
    """Refuse (with credentials) or warn about a regex that admits any origin; returns the refused ones.

    Each regex is probed with canary origins under ``.invalid``. Callables are
    not probed: calling user code at construction could have side effects.
    """
    refused: Set[Pattern[str]] = set()
    for pattern in patterns:
        admitted = [canary for canary in CANARY_ORIGINS if pattern.fullmatch(canary)]
        if not admitted:
            before = len(problems.found)
            _check_trusts_strangers(pattern, problems, allow_credentials, pattern in warned)
            if len(problems.found) > before:
                refused.add(pattern)
            continue
        refused.add(pattern)
        message = (f"{_regex_shown(pattern)} admits any origin (it admitted {admitted[0]!r}, "
                   "a reserved name no real site has)")
        if allow_credentials:
            problems.add("origins", "wsgicors.E107",
                         message + ", and with allow_credentials=True every website could read "
                         "your users' data",
                         "match only your own origins, e.g. re.compile(r'https://([a-z0-9-]+\\.)*example\\.com')")
        else:
            warnings.warn(CORSConfigWarning(
                f"origins: {message}; if every origin is meant, use origins='*' [wsgicors.W102]"),
                stacklevel=user_stacklevel())
    return refused


def _check_regex_insecure(pattern: Pattern[str], problems: Problems) -> None:
    r"""Refuse a credentialed regex that admits a plain-http, non-loopback origin (E106, as for strings).

    Probed with the pattern's own example origins, and with each https example
    written as http (``https?://app\.example\.com`` admits ``http://app.example.com``).
    """
    for example, _ in _examples(pattern.pattern, pattern.flags):
        for candidate in (example, "http://" + example[len("https://"):] if example.startswith("https://") else ""):
            if not candidate.startswith("http://") or not pattern.fullmatch(candidate):
                continue
            parsed = parse_request_origin(candidate)
            if parsed is None or parsed[1] in LOOPBACK_HOSTS:
                continue
            problems.add("origins", "wsgicors.E106",
                         f"{_regex_shown(pattern)} admits the plain-http origin {candidate!r}, which would get "
                         "credentialed access: anyone on the network can impersonate it",
                         "match https only (r'https://...'), or pass allow_insecure_origins=True "
                         "if you accept the risk")
            return


def _check_regex_cost(pattern: Pattern[str], problems: Problems) -> None:
    r"""Refuse a regex whose matching can backtrack exponentially (E133).

    ``re`` backtracks: ``https://([a-z0-9]+-?)+\.example\.com`` takes seconds
    on a 45-character ``Origin`` that almost matches, and each new origin is a
    new computation. Flagged: a repetition whose body holds another repetition
    with nothing between iterations that the inner one cannot match (no
    literal separator such as the ``\.`` in ``([a-z0-9-]+\.)*``). Possessive
    quantifiers and atomic groups never backtrack and are not flagged.
    """
    try:
        tree = list(_sre_parse.parse(pattern.pattern, pattern.flags))
        found = _nested_ambiguous_repeat(tree)
    except Exception:  # pragma: no cover - re's private parser changed: no check
        return
    if found:
        problems.add("origins", "wsgicors.E133",
                     f"{_regex_shown(pattern)} can backtrack exponentially (a repetition inside a "
                     "repetition with no separator between them): one hostile Origin header can "
                     "hold a worker for seconds",
                     "separate the repeated parts by a literal the inner part cannot match, e.g. "
                     "r'https://([a-z0-9-]+\\.)*example\\.com', or use a string wildcard "
                     "'https://*.example.com'")


def _nested_ambiguous_repeat(items: List[Any]) -> bool:
    for op, value in items:
        name = op.name
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            body = _flatten(list(value[2]))
            if value[1] > 1 and _ambiguous_body(body):
                return True
            if _nested_ambiguous_repeat(body):
                return True
        elif name == "SUBPATTERN":
            if _nested_ambiguous_repeat(list(value[-1])):
                return True
        elif name == "BRANCH":
            if any(_nested_ambiguous_repeat(list(branch)) for branch in value[1]):
                return True
    return False  # possessive repeats and atomic groups never backtrack into themselves


def _flatten(items: List[Any]) -> List[Any]:
    r"""Items with groups opened: ``(x+\.)`` is ``x+`` then ``\.``."""
    flat: List[Any] = []
    for op, value in items:
        if op.name == "SUBPATTERN":
            flat.extend(_flatten(list(value[-1])))
        else:
            flat.append((op, value))
    return flat


def _ambiguous_body(body: List[Any]) -> bool:
    """Whether a repeated body holds an inner repetition that iterations can trade characters with."""
    inner = [value for op, value in body if op.name in ("MAX_REPEAT", "MIN_REPEAT") and value[1] > 1]
    if not inner:
        return any(op.name == "BRANCH" and any(_ambiguous_body(_flatten(list(b))) for b in value[1])
                   for op, value in body)
    separators = [value for op, value in body if op.name == "LITERAL"]
    inner_body = _flatten(list(inner[0][2]))
    if len(inner) > 1 or len(inner_body) != 1 or inner_body[0][0].name not in ("LITERAL", "IN", "NOT_LITERAL", "ANY"):
        return True
    op, value = inner_body[0]
    test = (re.compile(".", re.DOTALL) if op.name == "ANY" else re.compile(re.escape(chr(value)))
            if op.name == "LITERAL" else re.compile(f"[^{re.escape(chr(value))}]")
            if op.name == "NOT_LITERAL" else re.compile(_class_source(value)))
    return not any(test.fullmatch(chr(separator)) is None for separator in separators)


def _check_trusts_strangers(pattern: Pattern[str], problems: Problems, allow_credentials: bool,
                            warned: bool) -> None:
    """Refuse (with credentials) or warn about a regex that admits sites anyone can register.

    Two probes, both at configuration time (see :func:`strangers_admitted`):
    a site under every public suffix and shared host, and the pattern's own
    example origins with their wildcards filled in. With credentials a finding
    is a :class:`ConfigError` (E121/E129 as for the string wildcard, E132 for
    a wildcard inside the registrable domain, such as an unescaped dot);
    without, a :class:`CORSConfigWarning` (W103).
    """
    found = strangers_admitted(pattern)
    if found is None:
        return
    origin, host, shared = found
    shown_pattern = _regex_shown(pattern)
    if shared is not None:
        code, message, hint = _strangers_problem(origin.partition("://")[0], shared[0], shared)
        message = f"{shown_pattern} admits {origin!r}: {message}"
    else:
        code = "wsgicors.E132"
        message = (f"{shown_pattern} admits {origin!r}, whose registrable domain {host!r} comes from the "
                   "pattern's wildcard (an unescaped '.', or a run not ending at '\\.'), so anyone who "
                   "registers such a domain is trusted")
        hint = ("write '\\.' for every literal dot and match whole labels before your own domain: "
                "re.compile(r'https://([a-z0-9-]+\\.)*example\\.com')")
    if allow_credentials:
        problems.add("origins", code, message, hint)
    elif shared is not None or not warned:  # W101 already named an unescaped dot or a dot-crossing run
        warnings.warn(CORSConfigWarning(f"origins: {message}; {hint} [wsgicors.W103]"),
                      stacklevel=user_stacklevel())


def strangers_admitted(pattern: Pattern[str]) -> Optional[Tuple[str, str, Optional[Tuple[str, str]]]]:
    """An origin a regex admits on a site anyone can register, or None.

    Returns (origin, its registrable domain or shared suffix, (suffix,
    section) when found under a public suffix else None). Probes, in order:

    1. ``scheme://probe.<suffix>`` for every rule of the Public Suffix List
       (ICANN and private sections) and every :data:`SHARED_HOSTS` entry:
       a pattern admitting ``https://probe.co.uk`` admits every ``.co.uk`` site;
    2. example origins built from the pattern itself, each wildcard (``.``,
       ``[a-z]+``, ``\\w*``) filled with a letter: if a filled-in character
       lands in the example's registrable domain (``https://apixexample.com``
       from ``https://api.example.com``), an attacker can register a domain
       the pattern admits.

    Results are cached per pattern; the list is read on first use.
    """
    return _strangers_admitted(pattern.pattern, pattern.flags)


@functools.lru_cache(maxsize=256)
def _strangers_admitted(source: str, flags: int) -> Optional[Tuple[str, str, Optional[Tuple[str, str]]]]:
    fullmatch = re.compile(source, flags).fullmatch
    # Only probes ending with the pattern's literal tail can match: str.endswith
    # narrows ~10,000 suffixes to a few before any regex runs.
    head, tail = _literal_ends(source, flags)
    for scheme in ("https", "http"):
        common = f"{scheme}://{_PROBE_LABEL}."
        if head[: len(common)] != common[: len(head)]:
            continue  # 'https://app...' can match no 'https://probe.<suffix>'
        by_last_label = _probe_origins(scheme)
        # A tail holding a dot names the probe's last label: only those probes can match.
        candidates = by_last_label.get(tail.rpartition(".")[2], ()) if "." in tail else by_last_label[""]
        for origin, suffix, section in candidates:
            if origin.endswith(tail) and origin.startswith(head) and fullmatch(origin):
                return origin, suffix, (suffix, section)
    for example, filled in _examples(source, flags):
        if not fullmatch(example):
            continue
        parsed = parse_request_origin(example)
        if parsed is None or parsed[0] not in WEB_SCHEMES or parsed[1].startswith("["):
            continue
        host = parsed[1]
        if host.rpartition(".")[2].isdigit():
            continue  # an IPv4 address: no registrable domain
        registrable = _registrable_domain(host)
        if registrable is None:
            continue
        start = example.index("://") + 3 + len(host) - len(registrable)
        if any(filled[start:start + len(registrable)]):
            return example, registrable, None
    return None


@functools.lru_cache(maxsize=2)
def _probe_origins(scheme: str) -> Dict[str, Tuple[Tuple[str, str, str], ...]]:
    """(probe origin, suffix, section) under every public suffix and shared host, by last label ("": all).

    Registries and short suffixes come first, so a finding names ``com`` rather than a platform under it.
    """
    from .psl import suffix_list

    psl = suffix_list()
    suffixes = {(name, "icann") for name in psl.icann} | {(name, "private") for name in psl.private}
    suffixes |= {(f"{_PROBE_LABEL}.{name}", section) for name, section in psl.wildcards}
    suffixes |= {(name, "private") for name in SHARED_HOSTS if (name, "icann") not in suffixes}
    ordered = sorted(suffixes, key=lambda item: (item[1] != "icann", item[0].count("."), item[0]))
    probes = [(f"{scheme}://{_PROBE_LABEL}.{name}", name, section) for name, section in ordered]
    index: Dict[str, List[Tuple[str, str, str]]] = {"": probes}
    for probe in probes:
        index.setdefault(probe[1].rpartition(".")[2], []).append(probe)
    return {label: tuple(group) for label, group in index.items()}


def _literal_ends(source: str, flags: int) -> Tuple[str, str]:
    """The literal characters every match of the regex starts and ends with ("" when unknown)."""
    if flags & re.IGNORECASE:
        return "", ""
    try:
        items = [item for item in _sre_parse.parse(source, flags) if item[0].name != "AT"]
    except Exception:  # pragma: no cover - a changed private parser: no narrowing
        return "", ""
    ends = []
    for sequence in (items, list(reversed(items))):
        literal: List[str] = []
        for op, value in sequence:
            if op.name != "LITERAL":
                break
            literal.append(chr(value))
        ends.append("".join(literal))
    return ends[0], ends[1][::-1]


def _registrable_domain(host: str) -> Optional[str]:
    """The public suffix plus one label (an unknown top-level label counts as a suffix); None for a suffix."""
    from .psl import public_suffix_of

    found = public_suffix_of(host)
    suffix = found[0] if found is not None else host.rpartition(".")[2]
    if len(suffix) >= len(host):
        return None
    label = host[: len(host) - len(suffix) - 1].rpartition(".")[2]
    return f"{label}.{suffix}"


#: Characters tried, in order, for a wildcard when building example origins.
_FILL = "xa1-_"
_MAX_EXAMPLES = 64


def _examples(source: str, flags: int) -> List[Tuple[str, List[bool]]]:
    """Strings a regex matches, built from its parse tree, with a mask of the characters wildcards chose.

    Every alternative of a branch is taken; a repetition is taken at its
    minimum count and at one more (at least once). Constructs outside this
    small grammar (look-arounds, back-references) give no examples.
    """
    try:
        tree = list(_sre_parse.parse(source, flags))
        results = _expand(tree)
    except Exception:  # pragma: no cover - an unusual construct or a changed private parser: no examples
        return []
    return [("".join(text), mask) for text, mask in results[:_MAX_EXAMPLES]]


_Example = Tuple[List[str], List[bool]]


def _expand(items: List[Any]) -> List[_Example]:
    results: List[_Example] = [([], [])]
    for op, value in items:
        options = _expand_one(op.name, value)
        results = [(text + more_text, mask + more_mask) for text, mask in results
                   for more_text, more_mask in options][:_MAX_EXAMPLES]
        if not results:
            return []
    return results


def _expand_one(name: str, value: Any) -> List[_Example]:
    if name == "LITERAL":
        return [([chr(value)], [False])]
    if name == "AT":
        return [([], [])]
    if name in ("ANY", "NOT_LITERAL", "IN"):
        test = re.compile(".", re.DOTALL) if name == "ANY" else (
            re.compile(f"[^{re.escape(chr(value))}]") if name == "NOT_LITERAL" else re.compile(_class_source(value)))
        admitted = [char for char in _FILL if test.fullmatch(char)]
        # A wildcard that admits a letter and a dot is tried both ways: 'https://app.example.com'
        # gives 'https://appxexample.com' (an attacker's domain) and 'https://app.example.com'.
        fills: List[_Example] = [([admitted[0]], [True])] if admitted else []
        if test.fullmatch("."):
            fills.append((["."], [False]))
        return fills
    if name in _REPEATS:
        low, high, body = value[0], value[1], _expand(list(value[2]))
        counts = sorted({low, min(max(low, 1) + (1 if low >= 1 else 0), high)} if high >= 1 else {0})
        options: List[_Example] = []
        for count in counts:
            for text, mask in body:
                options.append((text * count, mask * count))
        return options
    if name == "SUBPATTERN":
        return _expand(list(value[-1]))
    if name == "ATOMIC_GROUP":
        return _expand(list(value))
    if name == "BRANCH":
        return [example for branch in value[1] for example in _expand(list(branch))]
    raise ValueError(name)


# Regular-expression opcodes (``re._parser`` on 3.11+, ``sre_parse`` before);
# this is private API, so if it ever changes the check is skipped, never fatal.
try:
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11
    try:
        import sre_parse as _sre_parse
    except ImportError:
        _sre_parse = None

_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_DOT = ord(".")


def _warn_dot_crossing(pattern: Pattern[str]) -> bool:
    """Warn when a regex can match across a dot boundary it did not mean to.

    Two shapes are flagged: an unescaped ``.`` (``https://api.good.com`` also
    admits ``https://apiXgood.com``), and a run that can contain dots
    (``.*``, ``[^/]+``, ``[a-z.]*``) not ending at a literal ``\\.``, which
    admits ``https://evilgood.com`` (``https://.*good\\.com``) or
    ``https://good.com.evil.net`` (``https://good\\.com.*``). It is a
    heuristic, so it warns (:class:`CORSConfigWarning`) instead of refusing.
    """
    findings: Set[str] = set()
    try:
        _scan(list(_sre_parse.parse(pattern.pattern, pattern.flags)), False, findings)
    except Exception:  # pragma: no cover - re's private parser changed: no check
        return False
    hints = {
        "dot": ("has an unescaped '.', which matches any character (so 'https://api.good.com' "
                "also admits 'https://apiXgood.com')", "write '\\.' for a literal dot"),
        "run": ("has a run such as '.*' that can contain dots and does not end at '\\.' "
                "(so 'https://.*good\\.com' admits 'https://evilgood.com' and "
                "'https://good\\.com.*' admits 'https://good.com.evil.net')",
                "match whole labels instead: r'https://([a-z0-9-]+\\.)*good\\.com'"),
    }
    for kind in sorted(findings):
        message, fix = hints[kind]
        warnings.warn(CORSConfigWarning(
            f"origins: {_regex_shown(pattern)} {message}; {fix} [wsgicors.W101]"), stacklevel=user_stacklevel())
    return bool(findings)


def _regex_shown(pattern: Pattern[str]) -> str:
    text = pattern.pattern
    if "'" not in text and text.isprintable() and not text.endswith("\\"):
        return f"re.compile(r'{text}')"
    return f"re.compile({text!r})"


def _scan(items: List[Any], dot_follows: bool, findings: Set[str]) -> None:
    for index, (op, value) in enumerate(items):
        name = op.name
        follows = _starts_with_dot(items[index + 1 :], dot_follows)
        if name == "ANY":
            findings.add("dot")
        elif name in _REPEATS:
            body = list(value[2])
            if _can_match_dot(body) and not _ends_with_dot(body) and not follows:
                findings.add("run")
            if not (len(body) == 1 and body[0][0].name in ("ANY", "IN", "NOT_LITERAL", "LITERAL")):
                _scan(body, follows or _ends_with_dot(body), findings)
        elif name == "SUBPATTERN":
            _scan(list(value[-1]), follows, findings)
        elif name == "BRANCH":
            for branch in value[1]:
                _scan(list(branch), follows, findings)
        elif name == "ATOMIC_GROUP":
            _scan(list(value), follows, findings)


def _starts_with_dot(items: List[Any], dot_follows: bool) -> bool:
    for op, value in items:
        if op.name == "AT":  # ^ $ \b take no characters
            continue
        if op.name == "LITERAL":
            return value == _DOT
        if op.name == "SUBPATTERN":
            return _starts_with_dot(list(value[-1]), dot_follows)
        return False
    return dot_follows


def _ends_with_dot(items: List[Any]) -> bool:
    for op, value in reversed(items):
        if op.name == "AT":
            continue
        if op.name == "LITERAL":
            return value == _DOT
        if op.name == "SUBPATTERN":
            return _ends_with_dot(list(value[-1]))
        if op.name == "BRANCH":
            return all(_ends_with_dot(list(branch)) for branch in value[1])
        return False
    return False


def _can_match_dot(items: List[Any]) -> bool:
    """True if a wildcard in ``items`` (not a literal ``\\.``) can match a dot."""
    for op, value in items:
        name = op.name
        if name == "ANY" or (name == "NOT_LITERAL" and value != _DOT):
            return True
        if name == "IN" and re.fullmatch(_class_source(value), "."):
            return True
        if name in _REPEATS and _can_match_dot(list(value[2])):
            return True
        if name == "SUBPATTERN" and _can_match_dot(list(value[-1])):
            return True
        if name == "BRANCH" and any(_can_match_dot(list(branch)) for branch in value[1]):
            return True
        if name == "ATOMIC_GROUP" and _can_match_dot(list(value)):
            return True
    return False


def _class_source(items: List[Any]) -> str:
    """A character class rebuilt as a pattern, to ask it whether it matches '.'."""
    parts = []
    negate = ""
    for op, value in items:
        name = op.name
        if name == "NEGATE":
            negate = "^"
        elif name == "LITERAL":
            parts.append(re.escape(chr(value)))
        elif name == "RANGE":
            parts.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
        elif name == "CATEGORY":
            parts.append({"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
                          "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w",
                          "CATEGORY_NOT_WORD": r"\W"}.get(value.name, ""))
    return f"[{negate}{''.join(parts)}]" if parts else ("[^\n]" if negate else "(?!)")
