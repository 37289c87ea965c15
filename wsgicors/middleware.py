"""CORSMiddleware: the WSGI glue around :mod:`wsgicors.engine`.

It answers preflights itself and, for actual requests, wraps
``start_response`` to add headers; the body iterable is returned as the
application produced it, so streaming, ``close()`` and ``write()`` are the
server's business exactly as without the middleware.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from typing import Any, Callable, Dict, Hashable, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import engine
from .errors import ConfigError, CORSConfigWarning, Problems, user_stacklevel
from .fetch import is_preflight
from .logs import log_limited
from .origins import shown
from .fastpath import (ERROR_BODY, ERROR_HEADERS, ERROR_STATUS, PROPAGATE_KEY, ActualCall, PolicyState, bind_start_response,
                       state_for)
from .options import check_names, raise_unknown, require_bool
from .policy import Policy, require_policy

__all__ = ["CORSMiddleware", "Rules", "RuleSpec", "PROPAGATE_KEY", "OWNER_KEY", "handle", "preflight_answer", "response_decorator",
           "repolicy_response", "warn_limited"]

WSGIApp = Callable[..., Iterable[bytes]]

RulePolicy = Union[Policy, Mapping[str, Any], None]
RuleSpec = Tuple[str, RulePolicy]
#: paths whose rule is remembered per Rules, and the longest path remembered
PATH_MEMO_SIZE = 256
PATH_MEMO_MAX_LENGTH = 200
_UNKNOWN = object()
_DOT_SEGMENT = re.compile(r"/\.\.?(?:/|$)")
#: environ keys a client can send that make a router resolve another path than
#: ``PATH_INFO`` (Pyramid's traverser prefixes ``X-Vhm-Root``, its
#: ``pyramid.interfaces.VH_ROOT_KEY``); path rules give such a request no CORS
VIRTUAL_ROOT_KEYS = ("HTTP_X_VHM_ROOT",)
#: environ key: the wsgicors component that last took charge of the request's CORS
#: (a CORSMiddleware, an adapter's app wrapper or tween), set as each is entered. A
#: layer that passes the request on to other WSGI code and decorates the answer
#: afterwards (Flask's CORS(app) around middlewares that mount other apps) leaves
#: the answer of one inside it, whose policy (or exemption) is the view's own.
#: ``CORSMiddleware`` records itself only when the key is already there (its
#: only readers are such layers, which set it before passing the request on).
OWNER_KEY = "wsgicors.owner"


class Rules:
    """Path patterns mapped to policies; the first matching pattern wins.

    A pattern is matched against the whole ``PATH_INFO``, case-sensitively;
    ``*`` stands for any run of characters, ``/`` included; a pattern without
    ``*`` matches exactly. A rule whose policy is ``None`` exempts its paths.

    Rules cannot know the application's router, so they fail closed: a path
    that routers commonly rewrite before routing matches no rule, and gets no
    CORS, unless one policy covers every path. Those are paths with an empty
    segment (``//admin``, ``/a//b``: Werkzeug merges slashes, Pyramid traversal
    drops empty segments), a ``.`` or ``..`` segment (``/public/../api``, which
    a browser never sends but ``/public%2F..%2Fapi`` decodes to), a segment
    starting with ``@@`` (Pyramid traversal's view selector: ``/@@internal``
    runs the view named ``internal``, as ``/internal`` does), and bytes that
    are not UTF-8 (``%FF``: Bottle drops them, Werkzeug replaces them). A path
    without a trailing slash whose twin with one an earlier rule governs
    differently (``/admin`` under ``[("/admin/*", None), ("*", partner)]``)
    gets no CORS either, unless a pattern without ``*`` names it (``("/admin",
    ...)``): Werkzeug with ``strict_slashes=False`` serves the ``/admin/`` view
    at ``/admin``, Pyramid's ``append_slash`` and Django redirect to it.

    ``PATH_INFO`` holds the request's bytes decoded as latin-1 (PEP 3333);
    applications decode it as UTF-8. A pattern is matched against the path as
    the application decodes it, so a pattern with non-ASCII characters
    (``/café/*``) matches the request ``/caf%C3%A9/x``.
    """

    __slots__ = ("_rules", "_single", "_states", "single_state", "_targets", "_exact", "_by_prefix",
                 "_prefix_lengths", "_path_memo")

    def __init__(self, rules: Sequence[Tuple[str, Optional[Policy]]]) -> None:
        # A pattern is kept as its literal parts around each '*' (None without
        # one) and matched by _glob_match, in time linear in the path: a regex
        # such as '/a.*b.*c.*d' backtracks polynomially on a hostile path.
        compiled: List[Tuple[Optional[Tuple[str, ...]], str, Optional[Policy]]] = []
        for pattern, policy in rules:
            parts = tuple(pattern.split("*")) if "*" in pattern else None
            compiled.append((parts, pattern, policy))
        self._rules = tuple(compiled)
        # The common case, one policy for every path, skips matching entirely.
        self._single = rules[0][1] if len(rules) == 1 and rules[0][0] == "*" else None
        # Each policy's request path (remembered answers), built with the rules so
        # that reconfigure() swaps both in one assignment.
        self._states = {id(policy): PolicyState(policy) for _, policy in rules if policy is not None}
        self.single_state = self._states[id(self._single)] if self._single is not None else None
        # per rule its policy's state (None for an exemption), and None past the last rule
        self._targets = tuple(None if policy is None else self._states[id(policy)] for _, policy in rules) + (None,)
        # Dispatch without trying the rules one by one: exact patterns are one
        # dict look-up (the first of equal patterns wins); patterns with '*' are
        # grouped by their literal text before the first '*', so a path is only
        # matched against the groups whose prefix it starts with, one slice and
        # look-up per distinct prefix length. The earliest matching rule wins,
        # as when they are tried in order.
        self._exact: Dict[str, int] = {}
        self._by_prefix: Dict[str, List[Tuple[int, Tuple[str, ...]]]] = {}
        for index, (parts, pattern, _) in enumerate(compiled):
            if parts is None:
                self._exact.setdefault(pattern, index)
            else:
                self._by_prefix.setdefault(parts[0], []).append((index, parts))
        self._prefix_lengths = tuple(sorted({len(prefix) for prefix in self._by_prefix}))
        self._path_memo: Dict[str, Optional[PolicyState]] = {}

    @classmethod
    def build(
        cls,
        rules: Optional[Iterable[RuleSpec]] = None,
        policy: Optional[Policy] = None,
        options: Optional[Mapping[str, Any]] = None,
        entry: str = "Rules.build()",
    ) -> "Rules":
        """Rules from the constructor's arguments; raises one ConfigError.

        ``entry`` names what the user called, for unknown option names.
        """
        options = dict(options or {})
        raise_unknown(options, entry, extra=("rules",))  # CORSMiddleware()/reconfigure() take rules
        given = [name for name, value in (("rules", rules), ("policy", policy)) if value is not None]
        if options:
            given.append("policy options")
        if len(given) > 1:
            raise ConfigError(Problems.single(
                "rules", "wsgicors.E500", f"{' and '.join(given)} were given together",
                "pass policy options for one policy everywhere, or rules=[(pattern, Policy(...)), ...]; "
                "add ('*', Policy(...)) as the last rule for a default"))
        if rules is None:
            return cls([("*", require_policy(policy, entry) if policy is not None else Policy(**options))])
        return cls(_check_rules(rules))

    @property
    def single_policy(self) -> Optional[Policy]:
        """The one policy that covers every path, or None when path rules are in force."""
        return self._single

    def policy_for(self, path: str) -> Optional[Policy]:
        """The policy covering ``path`` (None: exempt or not in scope); remembered as :meth:`state_for`."""
        if self._single is not None:
            return self._single
        state = self.state_for(path)
        return None if state is None else state.policy

    def policy_for_request(self, environ: Mapping[str, Any]) -> Optional[Policy]:
        """The policy covering a WSGI request (None: not in scope); see :meth:`state_for_request`."""
        if self._single is not None:
            return self._single
        if _virtual_root(environ):
            return None
        return self.policy_for(environ.get("PATH_INFO", ""))

    def state_for_request(self, environ: Mapping[str, Any]) -> Optional[PolicyState]:
        """:meth:`state_for` the request's ``PATH_INFO``; None when path rules are in force
        and the request carries a virtual root (:data:`VIRTUAL_ROOT_KEYS`), which
        routers prefix to the path (fail closed)."""
        if self.single_state is not None:
            return self.single_state
        for key in VIRTUAL_ROOT_KEYS:  # _virtual_root, inlined: this runs on every request under rules
            if key in environ:
                return None
        path = environ.get("PATH_INFO", "")
        state = self._path_memo.get(path, _UNKNOWN)  # state_for's memory, read inline
        return self.state_for(path) if state is _UNKNOWN else state  # type: ignore[return-value]

    def state_for(self, path: str) -> Optional[PolicyState]:
        """The request-path state of the policy covering ``path`` (None: not in scope).

        The answer depends on the path alone, so it is remembered for
        :data:`PATH_MEMO_SIZE` paths of at most :data:`PATH_MEMO_MAX_LENGTH`
        characters (the table is emptied when full).
        """
        if self.single_state is not None:
            return self.single_state
        memo = self._path_memo
        state = memo.get(path, _UNKNOWN)
        if state is _UNKNOWN:
            state = self._targets[self._index_for(path)]
            if len(path) <= PATH_MEMO_MAX_LENGTH:
                if len(memo) >= PATH_MEMO_SIZE:
                    memo.clear()
                memo[path] = state
        return state  # type: ignore[return-value]

    def _index_for(self, path: str) -> int:
        """The index of the first rule matching ``path``; ``len(rules)`` when none does."""
        if "//" in path or "/@@" in path or ("/." in path and _DOT_SEGMENT.search(path)):
            return len(self._rules)
        if not path.isascii():
            try:
                path = path.encode("latin-1").decode("utf-8")
            except UnicodeError:  # not UTF-8, or not a server's latin-1 PATH_INFO
                return len(self._rules)
        best = self._first_match(path)
        if path[-1:] != "/" and (best == len(self._rules) or self._rules[best][0] is not None):
            # Routers serve a path's trailing-slash twin for it (Werkzeug's strict_slashes=False,
            # Pyramid's append_slash, Django's APPEND_SLASH): unless a pattern names the path
            # exactly, it gets no CORS when an earlier rule governs its twin differently.
            twin = self._first_match(path + "/")
            if twin < best and self._targets[twin] is not self._targets[best]:
                return len(self._rules)
        return best

    def _first_match(self, path: str) -> int:
        """The index of the first pattern matching the (decoded) ``path``; ``len(rules)`` when none does."""
        best = self._exact.get(path, len(self._rules))
        by_prefix = self._by_prefix
        for length in self._prefix_lengths:
            if length > len(path):
                break
            group = by_prefix.get(path[:length])
            if group is not None:
                for index, parts in group:  # in rule order
                    if index >= best:
                        break
                    if _glob_match(parts, path):
                        best = index
                        break
        return best

    def __repr__(self) -> str:
        return "Rules([" + ", ".join(f"({pattern!r}, {policy!r})" for _, pattern, policy in self._rules) + "])"


def _virtual_root(environ: Mapping[str, Any]) -> bool:
    for key in VIRTUAL_ROOT_KEYS:  # a loop, not any(generator): no frame per call
        if key in environ:
            return True
    return False


def _glob_match(parts: Tuple[str, ...], path: str) -> bool:
    """Whether ``path`` is ``parts`` joined by runs of any characters.

    The first part must start the path and the last end it; each part in
    between is found leftmost after the previous one, which is optimal when
    '*' is the only wildcard. Each part is searched once: linear time.
    """
    first, last = parts[0], parts[-1]
    if len(path) < len(first) + len(last) or not path.startswith(first) or not path.endswith(last):
        return False
    position, end = len(first), len(path) - len(last)
    for part in parts[1:-1]:
        found = path.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _check_rules(rules: Iterable[RuleSpec]) -> List[Tuple[str, Optional[Policy]]]:
    problems = Problems()
    checked: List[Tuple[str, Optional[Policy]]] = []
    if isinstance(rules, Mapping):
        # flask-cors's resources={pattern: options} is a dict; rules are tried in order, so a list says it
        raise ConfigError(Problems.single(
            "rules", "wsgicors.E501", "a dict is not a list of (path pattern, policy) pairs",
            "write rules=[(pattern, policy), ...] in the order they are tried (the first matching pattern "
            "wins): rules=list(your_dict.items()) keeps the dict's order"))
    try:
        items = list(rules)
    except TypeError:
        items = [rules]  # type: ignore[list-item]
    for index, item in enumerate(items):
        option = f"rules[{index}]"
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
            problems.add(option, "wsgicors.E501", f"{item!r} is not a (path pattern, policy) pair",
                         "write rules=[('/api/*', Policy(origins=[...]))]")
            continue
        pattern, policy = item
        if not pattern.startswith(("/", "*")):
            problems.add(option, "wsgicors.E502", f"{pattern!r} does not start with '/'",
                         f"patterns match PATH_INFO, which starts with '/'; did you mean {'/' + pattern!r}?")
            continue
        if isinstance(policy, Mapping):
            unknown = check_names(policy, "a rule's options")
            if unknown:
                problems.extend(p.renamed(f"{option}.{p.option}") for p in unknown)
                continue
            try:
                policy = Policy(**policy)
            except ConfigError as error:
                problems.extend(p.renamed(f"{option}.{p.option}") for p in error.problems)
                continue
        elif policy is not None and not isinstance(policy, Policy):
            problems.add(option, "wsgicors.E501", f"{policy!r} is not a Policy",
                         "give a Policy(...), a dict of its options, or None to exempt the paths")
            continue
        checked.append((pattern, policy))
    if not checked and not problems.found:
        problems.add("rules", "wsgicors.E504", "no rules given", "give at least one (pattern, policy) pair")
    problems.raise_if_any()
    _warn_unreachable(checked)
    return checked


def _warn_unreachable(rules: Sequence[Tuple[str, Optional[Policy]]]) -> None:
    """CORSConfigWarning W104 for each rule an earlier one shadows: the first matching rule wins, so it never applies.

    A warning, not an error: declared order is the contract, and a list built
    by code may hold such rules on purpose; the warning says what is dead.

    Pattern ``p`` covers every path ``q`` matches exactly when ``p`` matches
    ``q`` with each ``*`` written as a character no pattern holds: a ``*`` of
    ``p`` must absorb it, and can absorb whatever it stands for. Earlier
    patterns are grouped by their text before the first ``*``, as
    :class:`Rules` dispatches paths, so the check stays near-linear.
    """
    exact: Dict[str, int] = {}
    by_prefix: Dict[str, List[Tuple[int, Tuple[str, ...]]]] = {}
    lengths: set = set()
    for index, (pattern, _) in enumerate(rules):
        probe = pattern.replace("*", "\0")
        earlier = exact.get(probe)
        if earlier is None:
            earlier = next((i for length in sorted(lengths) if len(probe) >= length
                            for i, parts in by_prefix.get(probe[:length], ()) if _glob_match(parts, probe)), None)
        if earlier is not None:
            shadow = rules[earlier][0]
            warnings.warn(CORSConfigWarning(
                f"rules[{index}]: {pattern!r} never applies: the earlier rule {shadow!r} matches every path it "
                "matches; put the more specific pattern first (the first matching rule wins), or remove it "
                "[wsgicors.W104]"), stacklevel=user_stacklevel())
        if "*" in pattern:
            parts = tuple(pattern.split("*"))
            by_prefix.setdefault(parts[0], []).append((index, parts))
            lengths.add(len(parts[0]))
        else:
            exact.setdefault(pattern, index)


class CORSMiddleware:
    """Adds CORS to a WSGI application.

    ``CORSMiddleware(app, origins=[...], ...)`` applies one :class:`Policy`
    (same options) to every path; ``rules=[(pattern, policy), ...]`` scopes
    policies by path; ``policy=Policy(...)`` takes a ready policy.
    Configuration errors raise :class:`ConfigError` here, never per request.

    ``propagate_exceptions`` (bool, default False): let an exception that
    escapes ``app`` reach the server (or a debugger or test client wrapped
    around the middleware) instead of answering it ``500`` with CORS headers;
    see :func:`handle`. It is an attribute, not a policy option:
    ``reconfigure`` leaves it alone. Per request, a true environ key
    ``wsgicors.propagate`` does the same.
    """

    def __init__(
        self,
        app: WSGIApp,
        *,
        rules: Optional[Iterable[RuleSpec]] = None,
        policy: Optional[Policy] = None,
        propagate_exceptions: bool = False,
        **options: Any,
    ) -> None:
        self.app = app
        self.propagate_exceptions = require_bool("propagate_exceptions", propagate_exceptions)
        self._rules = Rules.build(rules, policy, options, "CORSMiddleware()")
        # reconfigure(**options) reads the current policy, then writes: two at once must not lose one
        self._reconfiguring = threading.Lock()

    def reconfigure(
        self,
        *,
        rules: Optional[Iterable[RuleSpec]] = None,
        policy: Optional[Policy] = None,
        **options: Any,
    ) -> None:
        """Swap in a new configuration atomically; on error the old one stays.

        ``reconfigure(**options)`` changes only the options given; every other
        option keeps its current value (``reconfigure(origins=[...])`` leaves a
        narrowed ``methods`` narrowed). ``reconfigure(policy=Policy(...))`` or
        ``reconfigure(rules=[...])`` replaces the whole configuration. Options
        apply to the one policy that covers every path: with path ``rules`` in
        force they raise :class:`ConfigError` (``wsgicors.E505``), since which
        rule they should change would be a guess.

        The new configuration is built and validated as a whole first, then
        installed with one assignment, so a request in flight sees either the
        old configuration or the new one, never a mix.

        Calls from several threads are applied one after another, so
        ``reconfigure(origins=...)`` and ``reconfigure(methods=...)`` at once
        keep both changes.

        Raises :class:`ConfigError` listing every problem; nothing changes then.
        """
        with self._reconfiguring:
            if rules is None and policy is None:
                current = self._rules.single_policy
                if current is None:
                    raise ConfigError(Problems.single(
                        "rules", "wsgicors.E505",
                        f"policy options ({', '.join(sorted(options)) or 'none'}) were given "
                        "but path rules are in force",
                        "options change the one policy that covers every path; to change a rule, pass "
                        "the complete rules=[(pattern, Policy(...)), ...], or policy=Policy(...) for one "
                        "policy everywhere"))
                raise_unknown(options, "reconfigure()")
                self._rules = Rules.build(policy=current.replace(**options))
                return
            self._rules = Rules.build(rules, policy, options, "reconfigure()")

    @property
    def rules(self) -> Rules:
        return self._rules

    def policy_for(self, environ: Mapping[str, Any]) -> Optional[Policy]:
        """The policy covering this request, or None to pass it through."""
        return self._rules.policy_for_request(environ)

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        """One WSGI call: the request path (docs/design.md §3; :func:`handle` says what it does).

        Both kinds of request are served in this one frame, the remembered
        answers read inline: every Python call saved is saved on every
        request. An application in scope gets
        :func:`wsgicors.fastpath.actual_start_response` bound to a list
        holding its request's state (no closure: its cells would be allocated
        for preflights too).
        """
        if OWNER_KEY in environ:  # only a layer around this one reads it, and that layer set it first:
            environ[OWNER_KEY] = self  # a new environ key would cost every request (a dict resize)
        rules = self._rules  # read once: reconfigure() may swap it meanwhile
        state = rules.single_state
        if state is None:
            state = rules.state_for_request(environ)
            if state is None:
                return self.app(environ, start_response)
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and environ.get("REQUEST_METHOD") == "OPTIONS":
            request_method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
            if request_method is not None:  # fetch.is_preflight, inlined on the hottest branch
                answer = None
                if "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK" not in environ:
                    # PolicyState's index of remembered answers, read by the raw strings: no key to build
                    answer = state.refused.get(origin)
                    if answer is None:
                        by_headers = state.by_origin.get(origin)
                        if by_headers is not None:
                            by_method = by_headers.get(environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"))
                            if by_method is not None:
                                answer = by_method.get(request_method)
                if answer is None:
                    key = (origin, request_method, environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
                           environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"))
                    answer = state.preflights.get(key) or state.preflight(key, environ)
                start_response(answer[0], [*answer[1]])  # a fresh list: servers append to it
                return [answer[2]]
        # an actual request: the application's answer with the CORS headers (fastpath.ActualCall)
        call: ActualCall = [state.remembered(origin) or state.actual(origin, environ), state,
                            environ.get("PATH_INFO"), start_response, False]
        try:
            return self.app(environ, bind_start_response(call))
        except Exception as error:
            if call[4] or origin is None or self.propagate_exceptions or environ.get(PROPAGATE_KEY):
                raise
            return state.answer_error(error, environ, start_response, call[0][0], call[2])


class _PolicyCall(CORSMiddleware):
    """:func:`handle`'s call of ``app``: the middleware's request path over one policy's state."""

    def __init__(self, state: PolicyState, app: WSGIApp, propagate: bool) -> None:
        self.app = app
        self.propagate_exceptions = propagate
        self._rules = state  # type: ignore[assignment]  # a state is the Rules of its one policy


def handle(policy: Policy, app: WSGIApp, environ: dict, start_response: Callable[..., Any],
           propagate: bool = False) -> Iterable[bytes]:
    """Apply ``policy`` to one WSGI call of ``app``: the whole of CORS at the WSGI level.

    Adapters that choose the policy themselves (per view, per route) call this.

    An exception (any :class:`Exception`) that escapes ``app`` on a request
    with an ``Origin`` before ``app`` called ``start_response`` is answered
    ``500 Internal Server Error`` (short ``text/plain`` body) with the CORS
    headers and ``Vary`` the response would have had, and its traceback is
    logged at ERROR on the ``wsgicors`` logger: the page can read the error
    instead of seeing a CORS failure. It propagates instead when ``propagate``
    is true or the environ key ``wsgicors.propagate`` (:data:`PROPAGATE_KEY`)
    is true (debuggers, test clients), when ``start_response`` was already
    called, and on requests without ``Origin``, which are left to the server.
    Exceptions raised while the server iterates the body are the server's.

    The decisions are :mod:`wsgicors.engine`'s, remembered per policy by
    :mod:`wsgicors.fastpath`; the call is :meth:`CORSMiddleware.__call__`'s code.
    """
    return _PolicyCall(state_for(policy), app, propagate)(environ, start_response)


def preflight_answer(policy: Policy, environ: Mapping[str, Any]) -> Optional[engine.PreflightAnswer]:
    """The complete answer when the request is a preflight (the app is then not called), else None.

    For adapters that cannot hand the whole request to :func:`handle`.
    """
    method = environ.get("REQUEST_METHOD")
    origin = environ.get("HTTP_ORIGIN")
    request_method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
    if not is_preflight(method, origin, request_method):
        return None
    state = state_for(policy)
    key = (origin, request_method, environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
           environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"))
    status, headers, body, refusal = state.preflights.get(key) or state.preflight(key, environ)  # type: ignore[arg-type]
    return engine.PreflightAnswer(status, list(headers), body, refusal)


HeaderList = List[Tuple[str, str]]


def response_decorator(policy: Policy, environ: Mapping[str, Any]) -> Callable[[HeaderList], HeaderList]:
    """A function giving an actual response's header list the policy's CORS headers and one ``Vary``.

    What to add is decided once from the request (:func:`engine.actual_headers`)
    and applied to whatever headers the application produced
    (:func:`engine.decorate_response`). For adapters whose framework changes the
    response after the application returned, so it must be applied at the very end.
    """
    state = state_for(policy)
    origin = environ.get("HTTP_ORIGIN")
    add, tail = state.remembered(origin) or state.actual(origin, environ)
    path = environ.get("PATH_INFO")

    def decorate(headers: HeaderList) -> HeaderList:
        return state.decorate(headers, add, tail, path)

    return decorate


def repolicy_response(policy: Optional[Policy], environ: Mapping[str, Any], headers: HeaderList,
                      cause: Hashable, reason: str) -> HeaderList:
    """An actual response's headers with their ``Access-Control-*`` headers replaced by ``policy``'s.

    For adapters that learn only after the application ran that another
    policy covers the request (``None``: no CORS, the headers are removed;
    ``Vary`` is kept). ``reason`` is logged as a WARNING on the ``wsgicors``
    logger with the request's ``PATH_INFO``, once per ``cause`` per interval
    (:func:`wsgicors.logs.log_limited`).
    """
    warn_limited(cause, reason + "; the response's CORS headers are now that policy's", environ)
    headers = engine.without_cors_headers(headers)
    return headers if policy is None else response_decorator(policy, environ)(headers)


def warn_limited(cause: Hashable, reason: str, environ: Mapping[str, Any]) -> None:
    """Log ``reason`` as a WARNING on the ``wsgicors`` logger, naming the request's ``PATH_INFO`` (escaped).

    For adapters that change what CORS a request gets after the fact; logged
    once per ``cause`` per interval (:func:`wsgicors.logs.log_limited`), so a
    client cannot flood the log.
    """
    log_limited(logging.WARNING, cause, "wsgicors: %s (PATH_INFO %s)", reason,
                shown(str(environ.get("PATH_INFO", ""))))
