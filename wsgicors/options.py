"""Every policy option, declared once.

Each :class:`Option` below carries everything about one option: its name,
type, default, unit and range, how it is validated and normalised, how it is
read from text settings (``.ini``, Pyramid, Flask ``app.config``), its
documentation and an example. :class:`~wsgicors.Policy`'s signature, its
``repr`` and ``help(Policy)``, :mod:`wsgicors.settings`, the README's options
table and the demo's form all derive from :data:`OPTIONS`.

Adding an option is one new :class:`Option` in :data:`OPTIONS` (plus the
engine code that acts on it); the tests that iterate :data:`OPTIONS` then
check it is settable from every source and documented.
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple, Union

from .errors import ConfigError, Problem, Problems
from .fetch import (
    ascii_lower, is_forbidden_method, is_forbidden_request_header, is_forbidden_response_header, is_token,
    normalize_method,
)
from .origins import _split_words as split_words, build_matcher

__all__ = [
    "Option", "OPTIONS", "BY_NAME", "DEFAULT_METHODS", "MAX_AGE_LIMIT", "ANY",
    "parse_bool", "check_names", "unknown_option_hint", "validate",
]

ANY = "*"
DEFAULT_METHODS: Tuple[str, ...] = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
MAX_AGE_LIMIT = 86400

#: What an option's ``check`` gets: the value, where to report problems, and
#: every option's raw value (for options whose validity depends on another).
Check = Callable[[Any, Problems, Mapping[str, Any]], Any]

_TRUE = frozenset({"true", "yes", "on", "1", "y", "t"})
_FALSE = frozenset({"false", "no", "off", "0", "n", "f", ""})


# ------------------------------------------------------------ text settings

def parse_bool(value: Any) -> bool:
    """``asbool``-style: True/False pass through, text is read case-insensitively.

    Raises ValueError for anything else.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"{value!r} is not a boolean")


def _text_int(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number") from None


def _text_int_or_none(value: str) -> Optional[int]:
    return None if value.strip().lower() in ("", "none") else _text_int(value)


def _text_as_is(value: str) -> str:
    return value  # list options split text themselves (commas and whitespace)


# --------------------------------------------------------------- the checks

def _as_names(value: Any) -> Optional[Tuple[Any, ...]]:
    """A list option as a tuple: strings split on commas and whitespace."""
    if isinstance(value, str):
        return tuple(split_words(value))
    try:
        return tuple(value)
    except TypeError:
        return None


def _check_bool(name: str) -> Check:
    def check(value: Any, problems: Problems, given: Mapping[str, Any]) -> bool:
        problem = bool_problem(name, value)
        if problem is not None:
            problems.extend([problem])
        return value is True
    return check


def _check_origins(value: Any, problems: Problems, given: Mapping[str, Any]) -> Any:
    return build_matcher(value, problems, allow_credentials=given.get("allow_credentials") is True,
                         allow_insecure_origins=given.get("allow_insecure_origins") is True)


def _check_methods(value: Any, problems: Problems, given: Mapping[str, Any]) -> Union[str, Tuple[str, ...]]:
    names = _as_names(value)
    if names is None:
        problems.add("methods", "wsgicors.E300", f"{value!r} is not a list of method names",
                     "pass e.g. ['GET', 'POST'] or '*'")
        return ()
    if names == (ANY,):
        return ANY
    if not names:
        problems.add("methods", "wsgicors.E301", "the list of methods is empty",
                     "list the methods cross-origin scripts may use, e.g. ['GET', 'POST']")
        return ()
    result: List[str] = []
    for name in names:
        if name == ANY:
            problems.add("methods", "wsgicors.E302", "'*' must be the only method: it already allows every method",
                         "use methods='*' alone")
        elif not isinstance(name, str) or not is_token(name):
            problems.add("methods", "wsgicors.E303", f"{name!r} is not a valid method name",
                         "method names are HTTP tokens such as 'GET' or 'PATCH'")
        elif is_forbidden_method(name):
            problems.add("methods", "wsgicors.E304", f"{name!r} can never be sent by a browser",
                         "remove it (CONNECT, TRACE and TRACK are forbidden methods)")
        else:
            # fetch() upper-cases only six names; everything else is sent as written,
            # and browsers compare methods case-sensitively.
            normal = normalize_method(name)
            if normal not in result:
                result.append(normal)
    return tuple(result)


def _request_header_problem(name: str) -> Optional[Tuple[str, str, str]]:
    if is_forbidden_request_header(name):
        return ("wsgicors.E311", f"{name!r} is set by the browser and never by a script",
                "remove it; browsers refuse to let scripts set it, so allowing it has no effect")
    return None


def _response_header_problem(name: str) -> Optional[Tuple[str, str, str]]:
    if is_forbidden_response_header(name):
        return ("wsgicors.E312", f"{name!r} can never be exposed to script",
                "remove it; browsers hide Set-Cookie from every cross-origin script")
    return None


# A header name is matched literally; these never appear in real ones but do in
# regexes and globs ('X-Company-.*', '^x-', 'X-*'), which are valid tokens.
_PATTERN_LOOKING = re.compile(r"[\\^$|()\[\]{}?*]|\.[*+]")


def _pattern_problem(option: str, name: Any) -> Optional[Tuple[str, str, str]]:
    if isinstance(name, str) and _PATTERN_LOOKING.search(name):
        return ("wsgicors.E313", f"{name!r} looks like a pattern, but header names are matched literally",
                f"list each header name (case-insensitive), e.g. {option}=['x-company-id', 'x-company-user'], "
                f"or {option}='*' for any name")
    return None


def _check_header_names(option: str, forbidden: Callable[[str], Optional[Tuple[str, str, str]]]) -> Check:
    def check(value: Any, problems: Problems, given: Mapping[str, Any]) -> Union[str, Tuple[str, ...]]:
        names = _as_names(value)
        if names is None:
            problems.add(option, "wsgicors.E300", f"{value!r} is not a list of header names",
                         "pass e.g. ['content-type', 'x-requested-with'] or '*'")
            return ()
        if names == (ANY,):
            return ANY
        result: List[str] = []
        for name in names:
            pattern = _pattern_problem(option, name) if name != ANY else None
            if name == ANY:
                problems.add(option, "wsgicors.E302",
                             "'*' must be the only header name: it already covers every name",
                             f"use {option}='*' alone")
            elif pattern:
                problems.add(option, *pattern)
            elif not isinstance(name, str) or not is_token(name):
                problems.add(option, "wsgicors.E310", f"{name!r} is not a valid header name",
                             "header names are HTTP tokens such as 'content-type'")
            else:
                lowered = ascii_lower(name)
                problem = forbidden(lowered)
                if problem:
                    problems.add(option, *problem)
                elif lowered not in result:
                    result.append(lowered)
        return tuple(result)
    return check


def _check_int(option: str, low: int, high: int, hint: str, allow_none: bool = False,
               seconds: bool = False) -> Check:
    def check(value: Any, problems: Problems, given: Mapping[str, Any]) -> Any:
        if value is None and allow_none:
            return None
        if seconds:
            value = _whole_seconds(option, value, problems)
            if value is None:
                return None
        if isinstance(value, bool) or not isinstance(value, int):
            problems.add(option, "wsgicors.E400", f"{value!r} is not a whole number",
                         _numeric_text_hint(option, value) or hint)
        elif not low <= value <= high:
            problems.add(option, "wsgicors.E401", f"{value} is outside {low}..{high}", hint)
        return value
    return check


def _numeric_text_hint(option: str, value: Any) -> str:
    """For a whole number written as text (``"600"``) in code: pass the int."""
    if isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            return ""
        return f"pass an int, e.g. {option}={number}"
    return ""


def _whole_seconds(option: str, value: Any, problems: Problems) -> Any:
    """A ``datetime.timedelta`` as whole seconds (None, reported, if it has a fraction); others as given."""
    import datetime  # configuration only

    if not isinstance(value, datetime.timedelta):
        return value
    if value.microseconds:
        whole = int(value.total_seconds())
        problems.add(option, "wsgicors.E402", f"{value!r} is not a whole number of seconds",
                     f"browsers read whole seconds; use e.g. datetime.timedelta(seconds={whole})")
        return None
    return value.days * 86400 + value.seconds


def _check_vary(value: Any, problems: Problems, given: Mapping[str, Any]) -> Tuple[str, ...]:
    names = _as_names(value)
    if names is None:
        problems.add("vary", "wsgicors.E300", f"{value!r} is not a list of header names",
                     "pass e.g. ['Authorization', 'X-Tenant']")
        return ()
    result: Dict[str, str] = {}
    for name in names:
        problem = _pattern_problem("vary", name) if name != ANY else None
        if problem:
            problems.add("vary", *problem)
        elif not isinstance(name, str) or not is_token(name):
            problems.add("vary", "wsgicors.E310", f"{name!r} is not a valid header name",
                         "list request-header names such as 'Authorization'")
        else:
            result.setdefault(ascii_lower(name), name)  # as written; de-duplicated case-insensitively
    return tuple(result.values())


# ----------------------------------------------------------- declarations

class Option(NamedTuple):
    """One policy option: everything about it in one place.

    A NamedTuple, not a dataclass: ``import wsgicors`` stays free of
    ``dataclasses`` and ``inspect``, which the request path never needs.
    """

    #: The keyword argument (``max_age``); text settings use it too (``cors.max_age``, ``CORS_MAX_AGE``).
    name: str
    #: The accepted Python types, as documented.
    type: str
    #: The value when the option is not given (``origins`` has none: it is required).
    default: Any
    #: What it does (README table, ``help(Policy)``), Markdown.
    doc: str
    #: Validates the given value, reporting problems; returns the value the policy keeps.
    check: Check
    #: Converts a text setting (ValueError on failure).
    from_text: Callable[[str], Any]
    #: How to write the option as text, for the error a failed conversion gives.
    text_hint: str
    #: A non-default text setting and the value the policy then holds (the tests use it).
    example: Tuple[str, Any]
    #: Unit and range, for the docs (``seconds, 0..86400``).
    unit: str = ""
    #: The policy attribute holding the checked value, if not ``name``.
    attribute: str = ""
    #: Checked before the others (options other checks read).
    first: bool = False
    #: The default as the docs show it, if not ``repr(default)`` in backticks.
    default_doc: str = ""

    @property
    def default_text(self) -> str:
        """The default as the docs show it (Markdown)."""
        return self.default_doc or f"`{self.default!r}`"


def _names_option(name: str, default: Any, doc: str, default_doc: str, check: Check,
                  example: Tuple[str, Any]) -> Option:
    return Option(name, "str | Iterable[str]", default, doc, check, _text_as_is,
                  "write names separated by commas or whitespace", example, default_doc=default_doc)


def _bool_option(name: str, doc: str) -> Option:
    return Option(name, "bool", False, doc, _check_bool(name), parse_bool, "write true or false",
                  ("true", True), first=True)


#: Every option, in the order of the signature and the docs.
OPTIONS: Tuple[Option, ...] = (
    Option(
        "origins", "str | re.Pattern | Callable[[str], bool] | Iterable[...]", None, 'who may read responses: a list of entries (below), `"*"` alone, or one string of entries separated by spaces or commas',
        _check_origins, _text_as_is, "write origins separated by commas or whitespace",
        ("https://a.example https://b.example", "['https://a.example', 'https://b.example']"),
        default_doc='**required**', attribute="matcher",
    ),
    _names_option(
        "methods", DEFAULT_METHODS, 'methods a preflight may ask for; `"*"` echoes the requested method (works with credentials)', '`GET, HEAD, POST, PUT, PATCH, DELETE`',
        _check_methods, ("GET POST", ("GET", "POST")),
    ),
    _names_option(
        "allow_headers", ANY, 'request headers a preflight may ask for; `"*"` echoes the requested names (works with credentials, `authorization` included)', '`"*"`',
        _check_header_names("allow_headers", _request_header_problem),
        ("X-Token, Content-Type", ("x-token", "content-type")),
    ),
    _names_option(
        "expose_headers", (), 'response headers script may read; `"*"` means all: sent as `*` without credentials, and as the response\'s own header names (never `Set-Cookie`) with credentials', 'none',
        _check_header_names("expose_headers", _response_header_problem), ("X-Request-Id", ("x-request-id",)),
    ),
    _bool_option("allow_credentials", 'send `Access-Control-Allow-Credentials: true` (cookies, HTTP auth, client certificates)'),
    Option(
        "max_age", "int | datetime.timedelta | None", None, 'seconds a browser may cache a preflight, `0`..`86400`',
        _check_int("max_age", 0, MAX_AGE_LIMIT,
                   "browsers cap it anyway (Chromium 7200, Firefox 86400, WebKit 600, measured); 0 disables caching",
                   allow_none=True, seconds=True),
        _text_int_or_none, f"write whole seconds (0..{MAX_AGE_LIMIT}, e.g. 600), or none to omit the header",
        ("600", 600), unit=f"seconds, 0..{MAX_AGE_LIMIT}",
        default_doc='`None` (header omitted; browsers cache 5 s)',
    ),
    _bool_option("allow_private_network", 'answer Private Network Access preflights (legacy: Chromium and Firefox now stop a public page\'s fetch to loopback before any request)'),
    Option(
        "preflight_status", "int", 204, 'status of an allowed preflight, any 2xx',
        _check_int("preflight_status", 200, 299, "a preflight succeeds only with a 2xx status; use 204 or 200"),
        _text_int, "write a 2xx status such as 204", ("200", 200), unit="200..299",
    ),
    Option(
        "vary", "str | Iterable[str]", (),
        "request headers your own CORS decision reads (a callable in `origins` that looks at `Authorization` "
        "or `X-Tenant`): added to the one merged `Vary` of every in-scope response, so caches keep the "
        "answers apart",
        _check_vary, _text_as_is, "write names separated by commas or whitespace",
        ("Authorization, X-Tenant", ("Authorization", "X-Tenant")), default_doc="none",
    ),
    _bool_option("allow_insecure_origins", 'allow plain-`http` origins other than loopback together with credentials'),
    _bool_option("debug", 'log why preflights are refused and add an `X-CORS-Error` hint header (reveals your policy to clients: development only)'),
)

BY_NAME: Dict[str, Option] = {option.name: option for option in OPTIONS}


def defaults() -> Dict[str, Any]:
    """Every option's default value (``origins``: None)."""
    return {option.name: option.default for option in OPTIONS}


def validate(given: Mapping[str, Any]) -> Tuple[Dict[str, Any], Problems]:
    """Each option's checked value (keyed by attribute name) and the problems found.

    ``given`` holds every option (defaults filled in) and nothing else.
    """
    problems = Problems()
    checked: Dict[str, Any] = {}
    for option in sorted(OPTIONS, key=lambda option: not option.first):
        checked[option.attribute or option.name] = option.check(given[option.name], problems, given)
    return checked, problems


def make_init(build: Callable[[Any, Dict[str, Any], Dict[str, Any]], None]) -> Callable[..., None]:
    """``Policy.__init__`` with the declared signature: ``(self, origins=None, *, methods=..., ..., **unknown)``.

    The function is generated from :data:`OPTIONS`, so ``help(Policy)`` and
    ``inspect.signature(Policy)`` show every option with its default;
    ``build(self, options, unknown)`` does the work (unknown names are
    reported as ConfigError, not TypeError).
    """
    first, *rest = OPTIONS
    parameters = ", ".join([f"{first.name}=_defaults[{first.name!r}]", "*"]
                           + [f"{option.name}=_defaults[{option.name!r}]" for option in rest] + ["**unknown"])
    names = ", ".join(f"{option.name!r}: {option.name}" for option in OPTIONS)
    source = f"def __init__(self, {parameters}):\n    _build(self, {{{names}}}, unknown)\n"
    namespace: Dict[str, Any] = {"_defaults": defaults(), "_build": build}
    # Named as a file of this package, so tracebacks say what it is and
    # warnings skip it when they point at the user's line (user_stacklevel).
    filename = os.path.join(os.path.dirname(os.path.abspath(__file__)), "<generated Policy.__init__>")
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - our own declarations, no outside input
    init = namespace["__init__"]
    init.__annotations__ = {option.name: option.type for option in OPTIONS}
    init.__annotations__["return"] = "None"
    return init


def docstring() -> str:
    """The options section of ``help(Policy)``: name, type, default, unit and meaning of each."""
    lines = []
    for option in OPTIONS:
        unit = f"; {option.unit}" if option.unit else ""
        default = option.default_text.replace("`", "").replace("**", "")
        lines.append(f"{option.name}: {option.type} (default {default}{unit})")
        lines.append("    " + option.doc.replace("`", ""))
    return "\n".join(lines)


def markdown_table() -> str:
    """The README's options table (a test keeps README.md equal to it).

    Regenerate: ``python -c "from wsgicors.options import markdown_table as t; print(t())"``.
    """
    rows = ["| option | default | meaning |", "|---|---|---|"]
    rows.extend(f"| `{option.name}` | {option.default_text} | {option.doc} |" for option in OPTIONS)
    return "\n".join(rows)


# ------------------------------------------------------------ unknown names

# Other libraries' option names (lower-case, without a ``CORS_`` prefix) -> (ours, note).
# ``ours`` is an option name or what to do instead; the note says where the name comes from.
FOREIGN_NAMES: Dict[str, Tuple[str, str]] = {
    # flask-cors
    "resources": ("rules", "flask-cors's resources: use rules=[('/api/*', {...})] on CORSMiddleware/wrap, "
                           "or a blueprint or @cross_origin policy in Flask"),
    "supports_credentials": ("allow_credentials", "flask-cors's supports_credentials"),
    "send_wildcard": ("origins", "flask-cors's send_wildcard: origins='*' answers '*' (without credentials)"),
    "vary_header": ("", "flask-cors's vary_header has no equivalent: Vary: Origin is always merged when "
                        "the answer depends on Origin (vary=[...] adds request headers)"),
    "automatic_options": ("", "flask-cors's automatic_options has no equivalent: preflights are always "
                              "answered before routing"),
    "always_send": ("", "flask-cors's always_send has no equivalent: origins='*' answers '*' with or "
                        "without Origin; any other policy adds CORS headers only for an allowed Origin"),
    "intercept_exceptions": ("", "flask-cors's intercept_exceptions has no equivalent: error pages get the "
                                 "same CORS headers as any response"),
    # django-cors-headers
    "allowed_origins": ("origins", "django-cors-headers' CORS_ALLOWED_ORIGINS"),
    "origin_whitelist": ("origins", "django-cors-headers' CORS_ORIGIN_WHITELIST"),
    "allowed_origin_regexes": ("origins", "django-cors-headers' CORS_ALLOWED_ORIGIN_REGEXES: put "
                                          "re.compile(...) patterns in origins; they must match the whole origin"),
    "origin_regex_whitelist": ("origins", "django-cors-headers' CORS_ORIGIN_REGEX_WHITELIST: put "
                                          "re.compile(...) patterns in origins; they must match the whole origin"),
    "allow_all_origins": ("origins", "django-cors-headers' CORS_ALLOW_ALL_ORIGINS: origins='*'"),
    "origin_allow_all": ("origins", "django-cors-headers' CORS_ORIGIN_ALLOW_ALL: origins='*'"),
    "urls_regex": ("rules", "django-cors-headers' CORS_URLS_REGEX: use rules=[('/api/*', {...})]"),
    "preflight_max_age": ("max_age", "django-cors-headers' CORS_PREFLIGHT_MAX_AGE"),
    "allow_methods": ("methods", "Starlette's allow_methods / django-cors-headers' CORS_ALLOW_METHODS"),
    "replace_https_referer": ("", "django-cors-headers' CORS_REPLACE_HTTPS_REFERER has no equivalent"),
    # Starlette
    "allow_origins": ("origins", "Starlette's allow_origins"),
    "allow_origin_regex": ("origins", "Starlette's allow_origin_regex: put re.compile(...) in origins; "
                                      "it must match the whole origin"),
    # wsgicors 0.7
    "policy": ("", "wsgicors 0.7's policy named a section; write this version's options directly"),
    "origin": ("origins", "wsgicors 0.7's origin"),
    "headers": ("allow_headers", "wsgicors 0.7's headers"),
    "maxage": ("max_age", "wsgicors 0.7's maxage"),
    "credentials": ("allow_credentials", "wsgicors 0.7's credentials"),
    # what people guess
    "allow_origin": ("origins", ""),
    "allowed_origin": ("origins", ""),
    "cors_origins": ("origins", ""),
    "allowed_headers": ("allow_headers", ""),
    "allowed_methods": ("methods", ""),
    "exposed_headers": ("expose_headers", ""),
    "allowed_credentials": ("allow_credentials", ""),
    "with_credentials": ("allow_credentials", ""),
    "max-age": ("max_age", ""),
    "private_network": ("allow_private_network", ""),
}
# Options that loosen security are suggested only when the name asks for them.
_RELAXING = {"allow_insecure_origins": "insecure"}


def unknown_option_hint(written: str, extra: Iterable[str] = (), key: Callable[[str], str] = str,
                        instead: Optional[Mapping[str, str]] = None) -> str:
    """What to write instead of ``written``, an unknown option name.

    Other libraries' names map to ours (with what to do where nothing maps);
    then close misspellings. ``extra`` adds names the entry point takes
    besides the options (``rules``); ``key`` spells an option as the source
    does (``cors.max_age``, ``CORS_MAX_AGE``); ``instead`` gives the entry
    point's own hint for another library's name (``resources``: what this
    entry point offers in place of ``rules``). A weaker option is never
    suggested unless the name asks for it.
    """
    name = written.lower().replace("-", "_")
    for prefix in ("cors.", "cors_"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    if instead and name in instead:
        return instead[name]

    def spelt(option: str) -> str:
        return repr(key(option)) if option in BY_NAME else repr(option)

    if name in BY_NAME:
        return f"did you mean {spelt(name)}?"
    ours, note = FOREIGN_NAMES.get(name, ("", ""))
    if ours in BY_NAME or (ours and ours in extra):  # never a name this entry point does not take
        return f"did you mean {spelt(ours)}?" + (f" ({note})" if note else "")
    if note:
        return note
    import difflib  # only for a misspelt name's hint: not loaded by `import wsgicors`

    candidates = [option for option in (*BY_NAME, *extra) if option not in _RELAXING or _RELAXING[option] in name]
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if close:
        return f"did you mean {spelt(close[0])}?"
    return "options are: " + ", ".join(key(option) for option in BY_NAME)


def check_names(given: Iterable[str], entry: str, extra: Iterable[str] = (),
                key: Callable[[str], str] = str, instead: Optional[Mapping[str, str]] = None) -> List[Problem]:
    """A problem for each name in ``given`` that is not an option.

    ``entry`` says what the user called or wrote (``CORSMiddleware()``,
    ``Flask app.config``); ``key`` maps an option name to its spelling there.
    """
    extra = tuple(extra)
    known = {key(option) for option in BY_NAME} | set(extra)
    return [Problem(name, f"not an option of {entry}", unknown_option_hint(name, extra, key, instead),
                    "wsgicors.E600")
            for name in given if name not in known]


def bool_problem(keyword: str, value: Any, entry: str = "") -> Optional[Problem]:
    """``wsgicors.E200`` for a keyword argument that takes ``True`` or ``False`` and got ``value``
    (None when ``value`` is a bool).

    Text that reads as a boolean (``"false"``, ``"off"``) is told the bool it
    means: as Python it is truthy, and the bool Python reads it as
    (``allow_credentials=True`` for ``"false"``) would be the opposite of what
    was written. ``entry`` (``"CORS()"``) prefixes the option where one call
    takes policies for several places.
    """
    if isinstance(value, bool):
        return None
    try:
        meant = parse_bool(value)
    except ValueError:
        meant = bool(value)
    return Problem(f"{entry}: {keyword}" if entry else keyword, f"{value!r} is not True or False",
                   f"pass a bool, e.g. {keyword}={meant!r}", "wsgicors.E200")


def require_bool(keyword: str, value: Any, entry: str = "") -> bool:
    """``value`` if it is a bool; else :class:`ConfigError` with :func:`bool_problem`.

    For the keywords that are not policy options: ``enabled=`` (Flask ``CORS``
    and ``@cross_origin``, Pyramid ``config.add_cors_policy``), where text
    such as ``"false"`` would silently leave CORS on (as a Bottle route's
    ``cors="false"`` would: E710), and ``CORSMiddleware``'s ``propagate_exceptions``.
    """
    problem = bool_problem(keyword, value, entry)
    if problem is not None:
        raise ConfigError([problem])
    return value


def raise_unknown(given: Iterable[str], entry: str, extra: Iterable[str] = (),
                  instead: Optional[Mapping[str, str]] = None) -> None:
    """Raise ConfigError if any keyword in ``given`` is not an option (hints as :func:`check_names`)."""
    problems = check_names(given, entry, extra, instead=instead)
    if problems:
        raise ConfigError(problems)

