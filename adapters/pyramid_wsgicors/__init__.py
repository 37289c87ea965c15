"""Pyramid integration for wsgicors: ``config.include("pyramid_wsgicors")``.

Settings (an ``.ini`` file or ``Configurator(settings=...)``), the keyword
names of :class:`wsgicors.Policy` under ``cors.``::

    pyramid.includes = pyramid_wsgicors
    cors.origins =
        https://app.example.com
        https://*.example.com
    cors.allow_credentials = true
    cors.max_age = 600

or in code, with keyword arguments winning over the settings::

    config.include("pyramid_wsgicors")
    config.add_cors_policy(origins=["https://app.example.com"])              # the app-wide policy
    config.add_cors_policy("/public/*", origins="*", allow_credentials=False)  # a path of its own
    config.add_cors_policy("/internal/*", enabled=False)                     # no CORS there
    config.add_cors_policy(route_name="admin", origins=["https://admin.example.com"])  # one route

A policy is chosen from what Pyramid's router dispatches the request to, as
the router sees it (after the ``NewRequest`` subscribers, which may rewrite
``request.path_info``):

- ``config.add_cors_policy(route_name="admin", ...)`` covers the route of
  that name, whatever path reaches it (a ``route_prefix`` changes its pattern,
  not its name), and wins over path policies.
- A path policy (first declared wins; the app-wide policy covers the rest)
  matches the path the route matched (UTF-8 decoded; a path with ``//``,
  ``.``/``..`` segments matches no path policy: fail closed), or, when no
  route matched, the path Pyramid's traversal resolves: empty and ``.``
  segments dropped, ``..`` applied, the ``X-Vhm-Root`` virtual root prefixed
  (a ``@@name`` segment, the traverser's view selector, matches no path
  policy: fail closed).
  So a not-found page under ``/admin/`` gets the ``/admin/*`` policy (a path
  policy covers its paths, whatever answers there); with ``route_name``
  policies it gets the app-wide one. A custom ``ITraverser`` may read paths
  otherwise: traversal then gets no path policy (fail closed). A path declared
  inside an include loaded with ``route_prefix`` gets that prefix, as Pyramid's
  routes do; ``/*`` there also covers the prefix itself (the include's root
  route), and a prefix placeholder (``/{tenant}/admin``) is allowed for
  exemptions only (ConfigError ``wsgicors.E701`` for a policy that grants CORS).

An actual response gets the policy of the route or traversal path the router
actually used, decided after it ran. A preflight is answered before any view
runs: the router's steps are replayed on a copy of the request whose method
is the one the preflight asks for (``NewRequest`` subscribers, then the routes
in order, ``request_method`` predicates applied). When other route predicates
(headers, parameters) leave more than one route possible and their policies
differ, or a step raises, the preflight is refused (403, fail closed) and a
WARNING is logged once per cause.

Framework glue only: a tween placed over Pyramid's exception view tween answers
preflights before any view lookup (:func:`wsgicors.middleware.preflight_answer`);
for other requests it lets Pyramid finish the response (views, exception views,
response callbacks, ``NewResponse`` subscribers, tweens over this one) and then
applies the policy's headers and one merged ``Vary`` as the request's last
finished callback, to the response the router sends (a tween over this one may
return another), just before the response is sent (or as the tween returns
when none of those is registered for the request: the same, cheaper). Exceptions no exception view handles go on up the
tween chain untouched (pyramid_tm must see them to abort; pyramid_debugtoolbar
shows them); an exception view for ``Exception`` is Pyramid's way to answer
them, and that response carries the CORS headers.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from pyramid.config import Configurator
from pyramid.events import NewRequest, NewResponse
from pyramid.interfaces import (
    VH_ROOT_KEY, IRequestExtensions, IRequestFactory, IRoutesMapper, ITraverser, ITweens,
)
from pyramid.predicates import RequestMethodPredicate
from pyramid.registry import Registry
from pyramid.request import Request, apply_request_extensions
from pyramid.response import Response
from pyramid.traversal import decode_path_info, split_path_info
from pyramid.tweens import EXCVIEW
from pyramid.urldispatch import old_route_re, route_re
from webob.response import Response as WebObResponse
from zope.interface import implementedBy

from wsgicors import ConfigError, Policy, Problem, fastpath
from wsgicors.engine import refuse_preflight
from wsgicors.errors import Problems
from wsgicors.fetch import is_preflight
from wsgicors.middleware import OWNER_KEY, Rules, preflight_answer, response_decorator, warn_limited
from wsgicors.options import require_bool
from wsgicors.policy import require_policy
from wsgicors.settings import options_from_settings, policy_from_settings

__all__ = ["includeme", "add_cors_policy", "tween_factory", "SETTINGS_PREFIX"]

SETTINGS_PREFIX = "cors."
REGISTRY_KEY = "wsgicors"
DEFAULT = "*"  # the path pattern of the app-wide policy, matched last
ENTRY = "the Pyramid settings"
# flask-cors's per-path resources, spelt as what the directive offers (it takes no rules)
_INSTEAD = {"resources": "flask-cors's resources: declare a policy per path with "
                         "config.add_cors_policy(path, ...)"}
MAX_REQUEUE = 64  # finished callbacks that may still follow ours (bounded against a ping-pong)
# environ key: the response the router is about to send (NewResponse), when a tween over ours may replace it
FINAL_RESPONSE_KEY = "wsgicors.pyramid.response"
HeaderList = List[Tuple[str, str]]
TWEEN = "pyramid_wsgicors.tween_factory"


def _load_speedups() -> Any:
    if fastpath.SPEEDUPS is None:  # the core's C code does not serve: neither does this
        return None
    try:
        from . import _speedups
    except ImportError:  # not built (no C compiler at install)
        return None
    return _speedups


#: ``pyramid_wsgicors._speedups`` (the one-policy tween's actual-request path in C), when it is built and
#: wsgicors' own C code serves (:data:`wsgicors.fastpath.SPEEDUPS`: not with ``WSGICORS_PURE_PYTHON``, not in
#: a sub-interpreter); else None. It serves an app with one policy for every path and no route policy, where
#: this tween is the outermost and no ``NewResponse`` subscriber is registered (:func:`_one_policy_tween`)
SPEEDUPS = _load_speedups()
#: WebOb's ``Response.headerlist`` property: a Response whose type still has it keeps its headers in
#: ``_headerlist`` (and a ``_headers`` view of them), which the one-policy tween reads and sets directly
WEBOB_HEADERLIST = WebObResponse.headerlist


class _Configuration:
    """What the settings and the directive said; turned into Rules when the app is made."""

    def __init__(self, settings: Dict[str, Any]) -> None:
        self.settings = settings
        # Typed and checked now, so a bad value fails config.include, naming the setting.
        try:
            given = options_from_settings(settings, SETTINGS_PREFIX, entry=ENTRY, instead=_INSTEAD)
        except ConfigError:
            if SETTINGS_PREFIX + "origins" in settings:
                # every problem at once: the policy's own checks (cors.origins) too, not only the
                # keys that could not be read
                policy_from_settings(settings, SETTINGS_PREFIX, entry=ENTRY, keywords_instead=_INSTEAD)
            raise
        self.from_settings = bool(given)
        self.default: Optional[Policy] = (
            policy_from_settings(settings, SETTINGS_PREFIX, entry=ENTRY, keywords_instead=_INSTEAD) if "origins" in given else None)
        self.paths: List[Tuple[str, Optional[Policy]]] = []
        self.routes: Dict[str, Optional[Policy]] = {}  # route name -> its policy (None: exempt)
        self.default_given = False

    def policy(self, enabled: bool, policy: Optional[Policy], options: Dict[str, Any]) -> Optional[Policy]:
        if not enabled:
            return None
        if policy is not None:
            if options:
                raise TypeError("pass either policy=Policy(...) or policy options, not both")
            return require_policy(policy, "config.add_cors_policy()")
        return policy_from_settings(self.settings, SETTINGS_PREFIX, entry=ENTRY,
                                    keywords_entry="config.add_cors_policy()", keywords_instead=_INSTEAD,
                                    **options)

    def rules(self) -> Optional[Rules]:
        """The path policies and the app-wide one (None when only routes have policies)."""
        rules = list(self.paths)
        if self.default is None and self.from_settings and not self.default_given:
            policy_from_settings(self.settings, SETTINGS_PREFIX, entry=ENTRY, keywords_instead=_INSTEAD)  # raises: names what is missing
        if self.default is not None:
            rules.append((DEFAULT, self.default))
        if not rules and not any(policy is not None for policy in self.routes.values()):
            raise ConfigError([Problem(
                SETTINGS_PREFIX + "origins", "no CORS policy is configured",
                "set cors.origins in the settings or call config.add_cors_policy(origins=[...])",
                "wsgicors.E700")])
        if not rules:
            return None
        return Rules.build(rules=rules)

    def policies(self) -> List[Policy]:
        """Every policy configured (not the exemptions)."""
        return [policy for policy in (self.default, *(p for _, p in self.paths), *self.routes.values())
                if policy is not None]


def _configuration(registry: Registry) -> _Configuration:
    configuration = registry.get(REGISTRY_KEY)
    if configuration is None:
        raise RuntimeError('call config.include("pyramid_wsgicors") first')
    return configuration


def includeme(config: Configurator) -> None:
    """Read ``cors.*`` settings, add the ``add_cors_policy`` directive and the tween."""
    if REGISTRY_KEY in config.registry:
        return  # included twice (pyramid.includes and config.include): the first one counts
    config.registry[REGISTRY_KEY] = _Configuration(dict(config.get_settings() or {}))
    config.add_directive("add_cors_policy", add_cors_policy)
    config.add_tween(TWEEN, over=EXCVIEW)


def add_cors_policy(config: Configurator, path: Optional[str] = None, *, route_name: Optional[str] = None,
                    policy: Optional[Policy] = None, enabled: bool = True, **options: Any) -> None:
    """``config.add_cors_policy([path], **options)``: the app-wide policy, or one for ``path`` or a route.

    ``path`` (str): a pattern as in :class:`wsgicors.CORSMiddleware`'s
    ``rules`` (``*`` any run of characters), matched against the path Pyramid
    dispatches on (see the module docstring); inside an include loaded with
    ``route_prefix`` it gets the prefix. ``route_name`` (str): the route of
    that name (``config.add_route(name, ...)``), whatever path reaches it; it
    wins over path policies. ``options`` are :class:`wsgicors.Policy`'s keyword
    arguments layered on the ``cors.*`` settings; ``policy=Policy(...)`` gives a
    ready policy; ``enabled=False`` exempts the path or route (only ``True`` or
    ``False``: ``enabled="false"`` is ConfigError ``wsgicors.E200``). Validated at
    once (ConfigError; a path or route policy's problems are named
    ``config.add_cors_policy('/path'): option``); a ``route_name`` that names no route is ConfigError
    ``wsgicors.E702`` when the app is made. Declaring the same path or route
    twice is a configuration conflict; ``path`` and ``route_name`` together
    raise TypeError.
    """
    if path is not None and route_name is not None:
        raise TypeError("pass either a path or a route_name, not both")
    configuration = _configuration(config.registry)
    where = _directive(path, route_name)
    paths: List[str] = []
    try:
        built = configuration.policy(require_bool("enabled", enabled, "config.add_cors_policy()"), policy, options)
        if path is not None:
            Rules.build(rules=[(path, built)])  # check the pattern now
            paths = _prefixed(path, (config.route_prefix or "").strip("/"), built is not None)
    except ConfigError as error:
        if where is None:
            raise
        raise ConfigError(_named(problem, where) for problem in error.problems) from None

    def register() -> None:
        if route_name is not None:
            configuration.routes[route_name] = built
        elif path is None:
            configuration.default = built
            configuration.default_given = True
        else:
            configuration.paths.extend((pattern, built) for pattern in paths)

    if route_name is not None:
        config.action(("wsgicors.route", route_name), register)
    else:
        config.action(("wsgicors.policy", paths[-1] if paths else DEFAULT), register)


def _directive(path: Optional[str], route_name: Optional[str]) -> Optional[str]:
    """How a path or route policy's problems name the call that declared it (None: the app-wide one,
    whose problems name the option or ``cors.*`` setting alone, as every adapter's app-wide policy does)."""
    if route_name is not None:
        return f"config.add_cors_policy(route_name={route_name!r})"
    if path is not None:
        return f"config.add_cors_policy({path!r})"
    return None


def _named(problem: Problem, where: str) -> Problem:
    """``problem`` prefixed with the directive ``where`` (a pattern's problem names ``path``, not
    the ``rules[0]`` the core checked it as)."""
    option = problem.option
    if option.startswith("rules["):
        option = "path"
    elif option.startswith("config.add_cors_policy()"):
        option = option[len("config.add_cors_policy()"):].lstrip(": ")
    return problem.renamed(f"{where}: {option}" if option else where)


def _prefixed(path: str, prefix: str, grants: bool) -> List[str]:
    """The rule patterns for ``path`` declared inside ``config.include(..., route_prefix=prefix)``.

    As Pyramid prefixes routes: ``/prefix/path``; ``/*`` also covers the
    include's root route (``/prefix`` itself). A placeholder segment of the
    prefix (``{tenant}``, ``:tenant``) becomes ``*``, which also spans ``/``:
    broader is fail-safe for an exemption (``enabled=False``); a policy that
    grants CORS raises ConfigError ``wsgicors.E701`` instead of widening.
    """
    if not prefix:
        return [path]
    placeholder = route_re if route_re.search(prefix) else old_route_re
    if placeholder.search(prefix):
        if grants:
            raise ConfigError(Problems.single(
                "config.add_cors_policy()", "wsgicors.E701",
                f"{path!r} is declared inside route_prefix {'/' + prefix!r}, whose placeholder cannot be "
                "matched as one path segment",
                "give the include's routes their policy with config.add_cors_policy(route_name=...), "
                "declare it outside the include with the paths spelled out, or exempt with enabled=False "
                "(its placeholder then matches any text, '/' included)"))
        prefix = placeholder.sub("*", prefix)
    patterns = [f"/{prefix}/{path.lstrip('/')}"]
    if path.lstrip("/") == "*":
        patterns.insert(0, f"/{prefix}")
    return patterns


def tween_factory(handler: Callable[[Request], Response], registry: Registry) -> Callable[[Request], Response]:
    """The tween: preflights answered without calling ``handler``; other responses decorated last.

    With one policy for every path (and no route policy) the policy is known
    before Pyramid runs. Otherwise a preflight is resolved with Pyramid's own
    route mapper on a copy of the request as the router would see it
    (:meth:`_Dispatch.preflight_policy`), and an actual response gets the
    policy of what the router dispatched it to (:meth:`_Dispatch.actual_policy`),
    decided once the router has run.
    """
    configuration = _configuration(registry)
    rules = configuration.rules()
    state = rules.single_state if rules is not None and not configuration.routes else None
    if state is not None:
        return _one_policy_tween(handler, registry, state)
    policies = configuration.policies()
    dispatch = _Dispatch(registry, rules, dict(configuration.routes), policies[0] if policies else None)

    def cors_tween(request: Request) -> Response:
        environ = request.environ
        if OWNER_KEY in environ:  # this app's policies (or exemptions) decide, not a layer around it (which
            environ[OWNER_KEY] = dispatch  # set the key before passing the request on; a new key costs a resize)
        if is_preflight(environ.get("REQUEST_METHOD"), environ.get("HTTP_ORIGIN"),
                        environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")):
            policy, refusal = dispatch.preflight_policy(request)
            if refusal is not None and policy is not None:
                answer = refuse_preflight(policy, refusal)
            elif policy is None:
                return handler(request)  # exempt: the application answers its OPTIONS itself, untouched
            else:
                answer = preflight_answer(policy, environ)  # type: ignore[assignment]
            return _preflight_response(request, answer, finish)
        response = handler(request)

        def decorate(headers: HeaderList) -> HeaderList:
            policy = dispatch.actual_policy(request)
            return headers if policy is None else response_decorator(policy, environ)(headers)

        finish(request, response, decorate)
        return response

    finish = _finisher(registry)[0]
    return cors_tween


def _one_policy_tween(handler: Callable[[Request], Response], registry: Registry,
                      state: Any) -> Callable[[Request], Response]:
    """The tween when one policy covers every request: its remembered answers, nothing to resolve.

    When it is the outermost tween and no ``NewResponse`` subscriber is
    registered (:func:`_finisher`), its actual-request path is the C type of
    ``pyramid_wsgicors._speedups`` when that is built and wsgicors' own C code
    serves (:data:`wsgicors.fastpath.SPEEDUPS`): ``cors_tween``'s steps in the same
    order, calling ``preflight``, ``PolicyState.actual`` and ``finished`` where
    ``cors_tween`` calls them (a call of another shape goes to ``cors_tween``).
    """
    remembered, actual, decorate_with, fast_tail = state.remembered, state.actual, state.decorate, state.fast_tail
    owner_key, webob_headerlist = OWNER_KEY, WEBOB_HEADERLIST  # read once, as the C tween is given them
    finish, at_once = _finisher(registry)

    def preflight(request: Request, environ: Dict[str, Any]) -> Optional[Response]:
        """The response to a preflight; None for an ``OPTIONS`` request that is not one."""
        answer = preflight_answer(state.policy, environ)
        return None if answer is None else _preflight_response(request, answer, finish)

    def cors_tween(request: Request) -> Response:
        environ = request.environ
        if owner_key in environ:  # this app's policy decides, not a layer around it (see cors_tween above)
            environ[owner_key] = state
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            answer = preflight(request, environ)
            if answer is not None:
                return answer
        origin = environ.get("HTTP_ORIGIN")
        entry = remembered(origin) or actual(origin, environ)
        response = handler(request)
        tail = entry[1]
        if tail is not None and at_once and getattr(type(response), "headerlist", None) is webob_headerlist:
            attrs = request.__dict__  # the callback queues are created on first use: absent means empty
            if "response_callbacks" not in attrs and "finished_callbacks" not in attrs:
                # finish() and PolicyState.decorate, inlined: one Python frame fewer per response.
                fast = fast_tail(response._headerlist, tail)
                if fast is not None:
                    # WebOb's headerlist property, inlined (the type's own is WebOb's: checked above):
                    # it reads _headerlist, and sets it after emptying the _headers view. A new list,
                    # never the Response's list extended in place: the application may hold it
                    # (Response(headerlist=CONSTANT) keeps it)
                    response._headers = None
                    response._headerlist = fast
                    return response
        return finished(request, response, environ, entry)

    def finished(request: Request, response: Response, environ: Dict[str, Any], entry: Any) -> Response:
        """An actual response's general path: the engine decorates it, at once or last (finish)."""
        add, tail = entry
        path = environ.get("PATH_INFO")
        finish(request, response, lambda headers: decorate_with(headers, add, tail, path))
        return response

    if at_once and SPEEDUPS is not None:
        return SPEEDUPS.one_policy_tween(handler, state, remembered, actual, fast_tail, owner_key,
                                         webob_headerlist, cors_tween, preflight, finished)
    return cors_tween


def _response(answer: Any) -> Response:
    """A preflight's answer (:class:`wsgicors.engine.PreflightAnswer`) as a Pyramid response."""
    return Response(status=answer.status, headerlist=list(answer.headers), app_iter=[answer.body])


def _preflight_response(request: Request, answer: Any,
                        finish: Callable[[Request, Response, Callable[[HeaderList], HeaderList]], None]) -> Response:
    """The answer as a response whose headers are exactly the answer's when it is sent: tweens over
    ours, response callbacks and ``NewResponse`` subscribers run for preflights too, and one that
    sets CORS headers (``Access-Control-Allow-Origin: *``) would otherwise widen what the policy allowed."""
    response = _response(answer)
    finish(request, response, lambda headers: list(answer.headers))
    return response


class _Dispatch:
    """Which policy covers a request, from what Pyramid's router dispatches it to.

    A route the router matched: its ``route_name`` policy, else the path
    policy of the path the route matched (``request.path_info`` after the
    ``NewRequest`` subscribers, UTF-8 decoded). No route: traversal, which
    drops empty and ``.`` segments, resolves ``..`` and prefixes the
    ``X-Vhm-Root`` virtual root, so the path policy of that path (Pyramid's
    ``split_path_info``), which is also the one of a not-found page. A custom
    ``ITraverser`` may read the path otherwise: path policies then give
    traversal no CORS (fail closed).
    """

    def __init__(self, registry: Registry, rules: Optional[Rules], routes: Dict[str, Optional[Policy]],
                 refusing: Optional[Policy]) -> None:
        self.registry = registry
        self.rules = rules
        self.routes = routes
        self.mapper = registry.queryUtility(IRoutesMapper)
        get_routes = getattr(self.mapper, "get_routes", None)
        if routes and get_routes is not None:
            known = {route.name for route in get_routes(include_static=True)}
            unknown = [name for name in routes if name not in known]
            if unknown:
                raise ConfigError(Problems.single(
                    "config.add_cors_policy()", "wsgicors.E702",
                    f"route_name {unknown[0]!r} names no route (routes: {', '.join(sorted(known)) or 'none'})",
                    "pass the name given to config.add_route(name, pattern)"))
        self.custom_traverser = any(registration.provided.isOrExtends(ITraverser)
                                    for registration in registry.registeredAdapters())
        self.request_factory = registry.queryUtility(IRequestFactory, default=Request)
        self.extensions = registry.queryUtility(IRequestExtensions)
        # supplies Vary names and the debug switch to a fail-closed refusal
        self.refusing = refusing

    def path_policy(self, path: str) -> Optional[Policy]:
        """The path policy for ``path`` as Pyramid decoded it (text)."""
        if self.rules is None:
            return None
        return self.rules.policy_for(path.encode("utf-8").decode("latin-1"))

    def route_policy(self, route: Any, path: str) -> Optional[Policy]:
        try:
            return self.routes[route.name]
        except KeyError:
            return self.path_policy(path)

    def traversal_policy(self, request: Request) -> Optional[Policy]:
        if self.rules is None:
            return None
        if self.rules.single_policy is not None:
            return self.rules.single_policy
        if self.custom_traverser:
            return None
        path = request.path_info or "/"
        root = request.environ.get(VH_ROOT_KEY)
        if root is not None:
            path = decode_path_info(root) + path
        return self.path_policy("/" + "/".join(split_path_info(path)))

    def actual_policy(self, request: Request) -> Optional[Policy]:
        """The policy of what the router dispatched ``request`` to (after it ran)."""
        attrs = request.__dict__
        route = attrs.get("matched_route")
        try:
            if route is not None:
                path = request.path_info or "/"
                if route.match(path) is None:
                    return None  # the path changed after routing: what the route matched is unknown
                return self.route_policy(route, path)
            if "view_name" in attrs:  # the router traversed
                return self.traversal_policy(request)
        except UnicodeDecodeError:
            return None
        # the router stopped before dispatching (a NewRequest subscriber raised): the raw path
        return None if self.rules is None else self.rules.policy_for_request(request.environ)

    def preflight_policy(self, request: Request) -> Tuple[Optional[Policy], Optional[str]]:
        """(policy, None) for a preflight, or (a policy to refuse with, why) when it cannot be resolved.

        The router's own steps, on a copy of the request whose method is the
        one the preflight asks for: the ``NewRequest`` subscribers, then the
        routes in the mapper's order. A route whose predicates depend on more
        than the method may or may not match the actual request (headers,
        parameters differ from the preflight's): every route that might be
        the one must have the same policy, and so must traversal when no route
        certainly matches; otherwise the preflight is refused (fail closed),
        as it is when any step raises.
        """
        environ = dict(request.environ)
        environ["REQUEST_METHOD"] = environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"]
        probe = self.request_factory(environ)
        probe.registry = self.registry
        if self.extensions is not None:
            apply_request_extensions(probe, extensions=self.extensions)
        try:
            if self.registry.has_listeners:
                self.registry.notify(NewRequest(probe))
            path = probe.path_info or "/"
            routes, falls_through = self._candidates(probe, path)
            policies = [self.route_policy(route, path) for route in routes]
            if falls_through:
                policies.append(self.traversal_policy(probe))
        except Exception as error:  # the router would fail too: no CORS
            return self._refusal(("raised", type(error).__name__), request,
                                 f"resolving its route raised {type(error).__name__}")
        first = policies[0]
        if any(policy is not first for policy in policies[1:]):
            names = tuple(route.name for route in routes) + (("traversal",) if falls_through else ())
            return self._refusal(("ambiguous", names), request,
                                 f"the actual request may reach routes with different CORS policies "
                                 f"({', '.join(names)}; route predicates other than request_method)")
        return first, None

    def _refusal(self, cause: Tuple[Any, ...], request: Request, reason: str) -> Tuple[Optional[Policy], str]:
        """Fail closed: refuse with :attr:`refusing` (WARNING once per cause per interval)."""
        warn_limited(("pyramid_wsgicors", *cause), "preflight refused: " + reason, request.environ)
        return self.refusing, reason

    def _candidates(self, probe: Request, path: str) -> Tuple[List[Any], bool]:
        """The routes the actual request may reach, in order; and whether it may reach none (traversal)."""
        mapper = self.mapper
        if mapper is None:
            return [], True
        get_routes = getattr(mapper, "get_routes", None)
        if get_routes is None:  # another IRoutesMapper: its own answer
            route = mapper(probe)["route"]
            return ([], True) if route is None else ([route], False)
        candidates = []
        for route in get_routes():
            match = route.match(path)
            if match is None:
                continue
            info = {"match": match, "route": route}
            certain = True
            for predicate in route.predicates:
                if isinstance(predicate, RequestMethodPredicate):
                    if not predicate(info, probe):
                        break  # the asked-for method is not this route's
                else:
                    certain = False
            else:
                candidates.append(route)
                if certain:
                    return candidates, False
        return candidates, True


def _finisher(registry: Registry) -> Tuple[Callable[[Request, Response, Callable[[HeaderList], HeaderList]], None],
                                           bool]:
    """How to apply a decoration to a response after everything that may change its headers;
    and whether it may be applied at once (for the hot path, which inlines ``finish``).

    Response callbacks, ``NewResponse`` subscribers, tweens over this one and
    finished callbacks all run after this tween returns. When this tween is
    the outermost, no ``NewResponse`` subscriber is registered and the request
    has no response or finished callback, nothing else will touch the
    response: it is decorated at once. Otherwise in the last finished callback
    (:func:`_decorate_last`).
    """
    tweens = registry.queryUtility(ITweens)
    chain = (tweens.explicit or tweens.implicit()) if tweens is not None else []
    event = implementedBy(NewResponse)  # what the router's event provides: its class, INewResponse, Interface
    at_once = bool(chain) and chain[0][0] == TWEEN and not any(
        registration.required and event.isOrExtends(registration.required[0])
        for registration in registry.registeredHandlers())
    if chain and chain[0][0] != TWEEN and not registry.get(FINAL_RESPONSE_KEY):
        # A tween over ours may return another Response than ours did (a compressing or legacy CORS
        # tween): the router announces the one it sends with NewResponse, before the finished callbacks.
        registry.registerHandler(_remember_final_response, (NewResponse,))
        registry[FINAL_RESPONSE_KEY] = True

    def finish(request: Request, response: Response, decorate: Callable[[HeaderList], HeaderList]) -> None:
        attrs = request.__dict__  # the callback queues are created on first use: absent means empty
        if at_once and not attrs.get("response_callbacks") and not attrs.get("finished_callbacks"):
            response.headerlist = decorate(response.headerlist)
        else:
            _decorate_last(request, response, decorate)

    return finish, at_once


def _remember_final_response(event: NewResponse) -> None:
    event.request.environ[FINAL_RESPONSE_KEY] = event.response


def _decorate_last(request: Request, response: Response,
                   decorate: Callable[[HeaderList], HeaderList]) -> None:
    """Apply ``decorate`` to ``response`` after everything else Pyramid runs for the request.

    Response callbacks and ``NewResponse`` subscribers run after the tweens,
    and may set ``Vary`` or CORS headers; finished callbacks run after them,
    before the response is sent. This one re-queues itself while other
    finished callbacks are pending (a bounded number of times), so it is the last.
    It decorates the response the router sends, which a tween over ours may
    have replaced (:func:`_remember_final_response`).
    """
    requeued = [0]

    def finished(request: Request) -> None:
        if request.finished_callbacks and requeued[0] < MAX_REQUEUE:
            requeued[0] += 1
            request.add_finished_callback(finished)
            return
        final = request.environ.get(FINAL_RESPONSE_KEY, response)
        final.headerlist = decorate(list(final.headerlist))

    request.add_finished_callback(finished)
