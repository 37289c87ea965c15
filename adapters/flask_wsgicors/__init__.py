"""Flask extension for wsgicors: ``CORS(app)``, ``@cross_origin`` and blueprint policies.

::

    from flask import Flask
    from flask_wsgicors import CORS, cross_origin

    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = ["https://app.example.com"]
    CORS(app, allow_credentials=True)          # keyword arguments win over app.config

    @app.route("/public")
    @cross_origin(origins="*", allow_credentials=False)   # this view's own policy
    def public(): ...

    @app.route("/internal")
    @cross_origin(enabled=False)              # no CORS for this view
    def internal(): ...

Framework glue only: every CORS decision is made by :func:`wsgicors.middleware.handle`.
``CORS(app)`` wraps ``app.wsgi_app``, so preflights are answered before Flask
routes the request, and every response Flask produces (views, 404, 405,
``abort(403)``, 500 pages) passes through the same decorator. A view, a
blueprint or the app can each have a policy; the most specific one wins. Their
options are layered: ``CORS_*`` config keys, then ``CORS(app, ...)`` arguments,
then the blueprint's, then the view's.

The policy is the one of the view Flask will call: the request is matched by
the app's own URL map (Werkzeug) as Flask builds it. When the map redirects
(a missing trailing slash, merged slashes: a 308), the redirect target's view
decides, so the redirect itself and a preflight to the redirecting URL carry
that view's policy. A rule belongs to a blueprint when that blueprint's
registration added it (recorded from Flask's ``BlueprintSetupState``), never
because its endpoint name contains a dot: an app-level endpoint named
``partner.secret`` is not blueprint ``partner``'s.

Flask routes before any ``before_request`` function or ``url_value_preprocessor``
runs, and those cannot change the route, so a ``before_request`` function that
answers itself (a login check's 401 or redirect) answers with the policy of the
rule Flask matched. WSGI middlewares wrapped around ``app.wsgi_app`` *before*
``CORS(app)`` (``ProxyFix``, ``DispatcherMiddleware``, a path rewriter) run after
the CORS wrapper, so it cannot see the request Flask will route: then
``CORS(app)`` also takes over the app's ``full_dispatch_request``, where Flask has
routed the request as the middlewares passed it on. The policy is looked up
there; a preflight is passed through the middlewares and answered there (no
``request_started`` receiver, ``before_request`` function or view runs), and an
actual response whose policy differs from the one the wrapper saw is re-policied
(:func:`wsgicors.middleware.repolicy_response`; an exempt view's own headers
stay). A request the middlewares hand to an app with wsgicors of its own (another
``CORS(app)``, a Bottle ``CORSPlugin``, Pyramid's tween, a ``CORSMiddleware``:
:data:`wsgicors.middleware.OWNER_KEY`) is left to that app; one they answer themselves keeps the policy of the request
as the wrapper saw it. Middlewares wrapped after ``CORS(app)`` run before it,
so the lookup already sees what they change.

Without ``CORS(app)``, ``@cross_origin`` views get their CORS from Flask's
``request_started`` signal, before any ``before_request`` function. Every
configuration is validated whole before it replaces the one in force.
"""

from __future__ import annotations

import functools
import weakref
from typing import (Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, NamedTuple, Optional, Tuple, TypeVar,
                    Union)
from urllib.parse import unquote, urlsplit

from flask import Blueprint, Flask, abort, request, request_finished, request_started
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from wsgicors import ConfigError, Policy
from wsgicors.errors import Problems
from wsgicors.engine import without_cors_headers
from wsgicors.fetch import is_preflight
from wsgicors.options import raise_unknown, require_bool
from wsgicors.middleware import OWNER_KEY, handle, preflight_answer, repolicy_response, response_decorator
from wsgicors.settings import OPTION_NAMES, policy_from_settings

__all__ = ["CORS", "cross_origin", "CONFIG_PREFIX"]

# flask-cors's per-path resources, spelt as what these entry points offer (they take no rules)
_INSTEAD = {"resources": "flask-cors's resources: give a blueprint its own policy with CORS(blueprint, ...), "
                         "or a view with @cross_origin(...)"}

#: ``app.config`` keys are this prefix plus the option name upper-cased: ``CORS_ORIGINS``.
CONFIG_PREFIX = "CORS_"
EXTENSION_KEY = "wsgicors"
# Set in the WSGI environ when the app-level wrapper handles the request, so the
# request_started receiver knows CORS has already been applied.
# Without CORS(app): what request_started chose (a Policy, or a preflight's answer), for request_finished
LENIENT_KEY = "wsgicors.flask.views"
ENVIRON_KEY = "wsgicors.flask"
# The _Record of a request that passes through middlewares wrapped around app.wsgi_app before CORS(app)
RECORD_KEY = "wsgicors.flask.record"
VIEW_ATTRIBUTE = "_wsgicors_options"
RECORDER_ATTRIBUTE = "_wsgicors_records_rules"
#: Redirects of the URL map followed to find the view that finally answers.
MAX_REDIRECTS = 5
# app.extensions key of the @cross_origin views of an app without CORS(app)
VIEWS_KEY = "wsgicors.views"
BLUEPRINT_MARK = "_wsgicors_blueprint"  # on the callback CORS(blueprint) records
_SOME_ORIGIN = "https://example.com"  # stands in for the app's origins when options are checked alone

Options = Optional[Dict[str, Any]]  # None: CORS disabled (enabled=False)
_T = TypeVar("_T")


def _options(enabled: bool, options: Mapping[str, Any]) -> Options:
    return dict(options) if enabled else None


def _config_policy(app: Flask, options: Mapping[str, Any], entry: str = "CORS()") -> Policy:
    """A policy from ``app.config`` with ``options`` winning; errors name the config key."""
    return policy_from_settings(app.config, CONFIG_PREFIX, upper=True, entry="Flask app.config",
                                keywords_entry=entry, keywords_instead=_INSTEAD, **options)


def _layered(app: Flask, base: Optional[Policy], options: Options, where: str,
             keywords: Iterable[str] = ()) -> Optional[Policy]:
    """A more specific policy: ``options`` on top of ``base`` (or of the app config).

    ``keywords``: the option names ``base``'s layers got as keyword arguments;
    problems name the others that ``app.config`` set as their config keys.
    """
    if options is None:
        return None
    if base is None:
        try:
            return _config_policy(app, options)
        except ConfigError as error:
            raise _located(error, where) from None
    try:
        return base.replace(**options) if options else base
    except ConfigError as error:
        given = set(keywords).union(options)
        keys = {name: CONFIG_PREFIX + name.upper() for name in OPTION_NAMES
                if name not in given and CONFIG_PREFIX + name.upper() in app.config}
        raise _located(error, where, keys) from None


def _located(error: ConfigError, where: str, keys: Optional[Mapping[str, str]] = None) -> ConfigError:
    spelt = [problem.spelt(keys or {}) for problem in error.problems]
    return ConfigError(problem.renamed(f"{where}: {problem.option}") for problem in spelt)


class _Record:
    """What one request met inside the middlewares wrapped before ``CORS(app)`` (see ``_AppCORS.dispatch``)."""

    __slots__ = ("state", "preflight", "reached", "policy", "answer")

    def __init__(self, state: "_AppCORS", preflight: bool) -> None:
        self.state = state
        self.preflight = preflight
        self.reached = False  # this app's Flask dispatched it
        self.policy: Optional[Policy] = None  # the policy of the request as Flask routed it
        self.answer: Any = None  # the preflight answer given there


class _Config(NamedTuple):
    """Everything one request reads, swapped in with one assignment."""

    policy: Optional[Policy]  # the app-wide policy, if any
    blueprints: Dict[str, Options]  # registered blueprint name -> options
    overrides: Dict[str, Optional[Policy]]  # endpoint -> policy, where not the app-wide one
    refused: Dict[str, ConfigError]  # endpoint -> why its @cross_origin was refused (lenient mode)
    built_for: Tuple[int, int, int]  # _views_state(app) and the number of blueprints it was built for
    keywords: FrozenSet[str] = frozenset()  # the option names CORS(app, ...) was given


_KEEP: Any = object()


class _AppCORS:
    """One Flask app's CORS state; installed as (and wrapping) ``app.wsgi_app`` by ``CORS(app)``.

    Without ``CORS(app)`` an uninstalled one (``lenient``) serves the app's
    ``@cross_origin`` views from Flask's ``request_started`` signal.
    """

    def __init__(self, app: Flask, lenient: bool = False) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app
        # Whether app.wsgi_app was wrapped (ProxyFix, DispatcherMiddleware, ...) before CORS(app): those
        # middlewares run after this wrapper and may change the request Flask routes (PATH_INFO,
        # SCRIPT_NAME, the host) or hand it to another app.
        inner = self.wsgi_app
        self.wrapped_middlewares = not (getattr(inner, "__self__", None) is app
                                        and getattr(inner, "__name__", "") == "wsgi_app")
        self.lenient = lenient
        # endpoint -> full name of the blueprint whose registration added its rule
        self.owners: Dict[str, str] = {}
        self._config = _Config(None, {}, {}, {}, (-1, -1, -1))

    @property
    def policy(self) -> Optional[Policy]:
        return self._config.policy

    @property
    def blueprints(self) -> Dict[str, Options]:
        return self._config.blueprints

    # -- configuration -------------------------------------------------------

    def refresh(self, policy: Optional[Policy] = _KEEP, blueprints: Optional[Mapping[str, Options]] = None,
                keywords: Optional[Iterable[str]] = None) -> None:
        """Validate the whole configuration, then install it with one assignment.

        ``policy`` replaces the app-wide policy (built from ``keywords``, the
        option names given to ``CORS(app, ...)``), ``blueprints`` are added; the
        per-endpoint policies are recomputed. A ConfigError names the view or
        blueprint and leaves the configuration in force unchanged.
        """
        app = self.app
        policy = self._config.policy if policy is _KEEP else policy
        given = self._config.keywords if keywords is None else frozenset(keywords)
        blueprint_options = {**self._config.blueprints, **(blueprints or {})}
        layered = {name: _layered(app, policy, options, f"blueprint {name!r}", given)
                   for name, options in blueprint_options.items()}
        overrides: Dict[str, Optional[Policy]] = {}
        refused: Dict[str, ConfigError] = {}
        for endpoint, view in list(app.view_functions.items()):
            parent = self._blueprint_policy(self.owners.get(endpoint), layered, policy)
            try:
                _refuse_marked_methods(endpoint, view)
            except ConfigError as error:
                if not self.lenient:
                    raise
                overrides[endpoint], refused[endpoint] = None, error
                continue
            if hasattr(view, VIEW_ATTRIBUTE):
                try:
                    overrides[endpoint] = _layered(
                        app, parent, getattr(view, VIEW_ATTRIBUTE), f"@cross_origin on {endpoint!r}",
                        given.union(self._blueprint_policy(self.owners.get(endpoint), blueprint_options, None) or ()))
                except ConfigError as error:
                    if not self.lenient:
                        raise
                    overrides[endpoint], refused[endpoint] = None, error
            elif parent is not policy:
                overrides[endpoint] = parent
        self._config = _Config(policy, blueprint_options, overrides, refused,
                               (*_views_state(app), len(blueprint_options)), given)

    def check_view(self, endpoint: str, view: Any) -> None:
        """Validate a ``@cross_origin`` view as it is registered (raises ConfigError).

        Its rule's owner is recorded only after Flask added it, so a view whose
        endpoint names a registered blueprint that still has ``CORS(blueprint)``
        options to tell is left to the check those options trigger.
        """
        _refuse_marked_methods(endpoint, view)
        options = getattr(view, VIEW_ATTRIBUTE, _KEEP)
        if options is _KEEP:
            return
        config = self._config
        owner = endpoint.rpartition(".")[0]  # a guess, for this early check only
        if owner not in self.app.blueprints:
            owner = ""
        elif owner not in config.blueprints:
            blueprint = self.app.blueprints[owner]
            if any(getattr(f, BLUEPRINT_MARK, False) for f in blueprint.deferred_functions):
                return  # its CORS(blueprint) options are not known yet: checked when they are
        layered = {name: _layered(self.app, config.policy, options_, f"blueprint {name!r}", config.keywords)
                   for name, options_ in config.blueprints.items()}
        _layered(self.app, self._blueprint_policy(owner, layered, config.policy), options,
                 f"@cross_origin on {endpoint!r}",
                 config.keywords.union(self._blueprint_policy(owner, config.blueprints, None) or ()))

    @staticmethod
    def _blueprint_policy(owner: Optional[str], blueprints: Mapping[str, _T], default: _T) -> _T:
        """The policy of ``owner`` (the blueprint that added the rule) or its innermost parent with one.

        Nested blueprints are registered as ``parent.child``; Flask forbids dots
        in a blueprint's own name, so these parts are the nesting itself.
        """
        parts = owner.split(".") if owner else []
        while parts:
            name = ".".join(parts)
            if name in blueprints:
                return blueprints[name]
            parts.pop()
        return default

    # -- per request ---------------------------------------------------------

    def policy_for(self, environ: Dict[str, Any]) -> Optional[Policy]:
        return self.lookup(environ)[1]

    def lookup(self, environ: Dict[str, Any]) -> Tuple[Optional[str], Optional[Policy]]:
        """(the endpoint if it has a policy of its own, the policy covering the request)."""
        config = self._config
        if config.built_for != (*_views_state(self.app), len(config.blueprints)):
            self.refresh()
            config = self._config
        if not config.overrides:
            return None, config.policy
        endpoint = self._endpoint(environ)
        if endpoint is None or endpoint not in config.overrides:
            return None, config.policy
        return endpoint, config.overrides[endpoint]

    def refusal(self, endpoint: Optional[str]) -> Optional[ConfigError]:
        return self._config.refused.get(endpoint) if endpoint is not None else None

    def _endpoint(self, environ: Dict[str, Any]) -> Optional[str]:
        """The endpoint Flask will route this request to (for a preflight: the asked-for method).

        A redirect of the URL map is followed to the view that answers its target.
        """
        method = environ.get("REQUEST_METHOD", "GET")
        asked = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        if is_preflight(method, environ.get("HTTP_ORIGIN"), asked):
            method = asked
        adapter, host = self._adapter(environ)
        if adapter is None:
            return None
        path_info: Optional[str] = None  # None: the request's own path
        for _ in range(MAX_REDIRECTS + 1):
            try:
                return _match(adapter, path_info, method)
            except RequestRedirect as redirect:
                target = urlsplit(redirect.new_url)
                if target.netloc and target.netloc != host:
                    # another host (host matching, a subdomain): matched as a request to that host
                    adapter, host = self._adapter(dict(environ, HTTP_HOST=target.netloc,
                                                       **{"wsgi.url_scheme": target.scheme or "http"}))
                    if adapter is None:
                        return None
                path_info = _redirect_path(adapter.script_name, redirect.new_url)
                if path_info is None:
                    return None
            except HTTPException:  # 404 and other failures: the app-wide policy answers
                return None
        return None

    def _adapter(self, environ: Dict[str, Any]) -> Tuple[Any, str]:
        """Flask's URL adapter for a request with ``environ``, and its host; (None, "") for a refused host."""
        try:
            request_ = self.app.request_class(environ)
            return self.app.create_url_adapter(request_), request_.host
        except HTTPException:  # a bad or untrusted host: the app-wide policy answers
            return None, ""

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ[ENVIRON_KEY] = self
        policy = self.policy_for(environ)
        if self.wrapped_middlewares:
            return self._through_middlewares(policy, environ, start_response)
        if policy is None:
            return self.wsgi_app(environ, start_response)
        # Flask re-raises in debug and testing mode for the debugger and the test client: let it
        # through then; otherwise (PROPAGATE_EXCEPTIONS under a real server) the page gets a 500 with CORS.
        return handle(policy, self.wsgi_app, environ, start_response, self.app.debug or self.app.testing)

    # -- WSGI middlewares between CORS(app) and Flask --------------------------

    def dispatch(self, full_dispatch_request: Callable[[], Any]) -> Any:
        """``app.full_dispatch_request`` with wrapped middlewares: the policy from the request Flask routed.

        Flask has matched the URL by now (in its request context), after every
        middleware: the policy is looked up on that request, recorded for the
        wrapper and, for a preflight, answered here without running a
        ``request_started`` receiver, ``before_request`` function or view.
        """
        record = request.environ.get(RECORD_KEY)
        if not isinstance(record, _Record) or record.state is not self:
            return full_dispatch_request()
        record.reached = True
        record.policy = self.policy_for(request.environ)
        if record.preflight and record.policy is not None:
            record.answer = preflight_answer(record.policy, request.environ)
            return self.app.response_class(b"", 204)  # replaced by record.answer in _through_middlewares
        return full_dispatch_request()

    def _through_middlewares(self, chosen: Optional[Policy], environ: Dict[str, Any],
                             start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Run the middlewares; the policy is the one :meth:`dispatch` found where Flask routed.

        A request that never reaches this app's Flask dispatch (a
        DispatcherMiddleware hands it to another app) keeps ``chosen``, the
        policy of the request as this wrapper saw it, unless another
        ``CORS(app)`` answered it, whose headers are left as they are.
        """
        record = environ[RECORD_KEY] = _Record(self, is_preflight(
            environ.get("REQUEST_METHOD"), environ.get("HTTP_ORIGIN"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")))
        if record.preflight:
            return self._preflight_through_middlewares(chosen, record, environ, start_response)
        raw: List[Any] = []  # the application's own headers, as the middlewares passed them on

        def inner(environ_: Dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
            environ_[OWNER_KEY] = self  # whatever the middlewares pass it to may take charge instead

            def capture(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
                headers = list(headers)  # read twice: an iterator would be used up by the first reading
                raw[:] = [headers]
                if chosen is not None and self._final_policy(chosen, record, environ) is None:
                    # repolicied below restores the application's own headers (an exempt view, or an app
                    # with wsgicors of its own): the request's policy must not see them, it would log
                    # removing what stays. A view under another policy is reported as always.
                    headers = without_cors_headers(headers)
                return start(status, headers) if exc_info is None else start(status, headers, exc_info)
            return self.wsgi_app(environ_, capture)

        def repolicied(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            policy = self._final_policy(chosen, record, environ)
            if policy is not chosen and raw:  # exempt, or another app's CORS(app): the app's own headers
                headers = raw[0] if policy is None else repolicy_response(
                    policy, environ, raw[0], ("flask_wsgicors", "middleware changed the route"),
                    "a WSGI middleware wrapped around app.wsgi_app before CORS(app) changed the request, so "
                    "Flask dispatched it to a view with another policy than the request had")
            return start_response(status, headers) if exc_info is None else start_response(status, headers, exc_info)

        if chosen is None:
            return inner(environ, repolicied)
        return handle(chosen, inner, environ, repolicied, self.app.debug or self.app.testing)

    def _final_policy(self, chosen: Optional[Policy], record: "_Record", environ: Dict[str, Any]) -> Any:
        if record.reached:
            return record.policy
        other = environ.get(ENVIRON_KEY)
        if isinstance(other, _AppCORS) and other is not self:
            return None  # another Flask app's CORS(app) or @cross_origin view answered: its headers stand
        if environ.get(OWNER_KEY, self) is not self:
            return None  # another wsgicors component (Bottle's plugin, a CORSMiddleware, Pyramid's tween) did
        return chosen

    def _preflight_through_middlewares(self, chosen: Optional[Policy], record: "_Record", environ: Dict[str, Any],
                                       start_response: Callable[..., Any]) -> Iterable[bytes]:
        captured: List[Any] = []
        chunks: List[bytes] = []

        def capture(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured[:] = [status, list(headers)]
            return chunks.append

        environ[OWNER_KEY] = self  # whatever the middlewares pass it to may take charge instead
        body = self.wsgi_app(environ, capture)
        try:
            chunks.extend(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        policy = self._final_policy(chosen, record, environ)
        answer = record.answer if record.reached else (
            preflight_answer(policy, environ) if policy is not None else None)
        if answer is None:  # no CORS here: the application's own answer, as it gave it
            start_response(captured[0], captured[1])
            return chunks
        start_response(answer.status, list(answer.headers))
        return [answer.body]


def _refuse_marked_methods(endpoint: str, view: Any) -> None:
    """Raise ConfigError ``wsgicors.E720`` when a method of ``view``'s class carries ``@cross_origin``.

    Flask calls the function ``View.as_view()`` made, whose own mark (from the
    class's ``decorators``) is the only one read; a mark on ``get`` or
    ``dispatch_request`` would be silently ignored and the view would get the
    blueprint's or app's policy instead (flask-cors's decorator does work there).
    """
    view_class = getattr(view, "view_class", None)
    if not isinstance(view_class, type):
        return
    marked = sorted(name for name in dir(view_class)
                    if callable(getattr(view_class, name, None)) and hasattr(getattr(view_class, name), VIEW_ATTRIBUTE))
    if marked:
        raise ConfigError(Problems.single(
            f"@cross_origin on {endpoint!r}", "wsgicors.E720",
            f"it marks {view_class.__name__}.{marked[0]}, a method of a class-based view, which Flask never "
            "consults: the view would get the enclosing policy",
            "list it in the class's decorators (decorators = [cross_origin(...)]); give methods different "
            "policies with separate views"))


def _match(adapter: Any, path_info: Optional[str], method: str) -> Optional[str]:
    """The endpoint ``adapter`` matches; for a path that exists only for other methods, theirs (a 405)."""
    try:
        return adapter.match(path_info, method=method, return_rule=True)[0].endpoint
    except MethodNotAllowed as error:
        # The path exists for other methods: its view's policy answers (a 405 with CORS headers).
        for other in error.valid_methods or ():
            try:
                return adapter.match(path_info, method=other, return_rule=True)[0].endpoint
            except RequestRedirect:
                raise
            except HTTPException:
                continue
    return None


def _redirect_path(script_name: str, new_url: str) -> Optional[str]:
    """The ``path_info`` a URL map redirect points at, or None when it leaves the app."""
    path = unquote(urlsplit(new_url).path)
    root = script_name.rstrip("/")
    if not path.startswith(root + "/"):
        return None
    return path[len(root):]


def _record_rules(blueprint: Blueprint) -> None:
    """Record which rules each registration of ``blueprint`` (and of its children) adds.

    Flask builds a ``BlueprintSetupState`` per registration and adds every
    rule through it; wrapping its ``add_url_rule`` tells which endpoints that
    registration owns, whatever their names look like.
    """
    if getattr(blueprint, RECORDER_ATTRIBUTE, False):
        return
    make_setup_state = blueprint.make_setup_state

    def recording_setup_state(app: Flask, options: Dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        state = make_setup_state(app, options, *args, **kwargs)
        owners = _app_state(app).owners
        name = f"{getattr(state, 'name_prefix', '')}.{getattr(state, 'name', blueprint.name)}".lstrip(".")
        add_url_rule = state.add_url_rule

        def recording_add_url_rule(*rule_args: Any, **rule_kwargs: Any) -> None:
            before = len(list(app.url_map.iter_rules()))
            add_url_rule(*rule_args, **rule_kwargs)
            for rule in list(app.url_map.iter_rules())[before:]:
                owners[rule.endpoint] = name

        state.add_url_rule = recording_add_url_rule
        for child, _ in getattr(blueprint, "_blueprints", ()):  # nested: registered after this one
            _record_rules(child)
        return state

    blueprint.make_setup_state = recording_setup_state  # type: ignore[method-assign]
    setattr(blueprint, RECORDER_ATTRIBUTE, True)


class _CheckedViews(dict):  # type: ignore[type-arg]
    """``app.view_functions`` under ``CORS(app)``: a ``@cross_origin`` view is validated as it is
    registered, so a bad one stops the app at import (gunicorn refuses to boot) instead of
    failing requests."""

    def __init__(self, views: Mapping[str, Any], state: _AppCORS) -> None:
        super().__init__(views)
        self._state = weakref.ref(state)
        #: counts the views set or removed, so a view replacing another (``@app.endpoint(name)``
        #: over a registered one) makes the per-endpoint policies be computed again
        self.version = 0

    def __setitem__(self, endpoint: str, view: Any) -> None:
        state = self._state()
        if state is not None:
            state.check_view(endpoint, view)
        super().__setitem__(endpoint, view)
        self.version += 1

    def __delitem__(self, endpoint: str) -> None:
        super().__delitem__(endpoint)
        self.version += 1


def _views_state(app: Flask) -> Tuple[int, int]:
    """What the per-endpoint policies depend on in ``app.view_functions``: its size and version."""
    views = app.view_functions
    return len(views), getattr(views, "version", 0)


def _install(app: Flask, state: _AppCORS) -> None:
    app.extensions[EXTENSION_KEY] = state
    app.wsgi_app = state  # type: ignore[method-assign]
    if state.wrapped_middlewares:
        full_dispatch_request = app.full_dispatch_request  # the instance attribute shadows Flask's method
        app.full_dispatch_request = functools.partial(state.dispatch, full_dispatch_request)  # type: ignore
    if type(app.view_functions) is dict:
        app.view_functions = _CheckedViews(app.view_functions, state)


def _app_state(app: Flask) -> _AppCORS:
    """The app's installed state; one without an app-wide policy is installed if there is none."""
    state = app.extensions.get(EXTENSION_KEY)
    if state is None:
        state = _AppCORS(app)
        _install(app, state)
    return state


class CORS:
    """The Flask extension: ``CORS(app, **options)`` or ``CORS(**options).init_app(app)``.

    ``options`` are :class:`wsgicors.Policy`'s keyword arguments; they win over
    ``app.config["CORS_<OPTION>"]``. ``CORS(blueprint, **options)`` gives a
    blueprint's routes their own policy. ``enabled=False`` turns CORS off for
    the app (then only blueprints and views with their own policy get it) or
    for the blueprint. One extension object may initialise several apps.
    Configuration problems raise :class:`wsgicors.ConfigError` from
    ``init_app`` (or ``register_blueprint``), naming the config key; an
    unknown keyword, or an ``enabled`` that is not ``True`` or ``False``
    (``enabled="false"``: ``wsgicors.E200``), from the constructor.
    """

    def __init__(self, app: Union[Flask, Blueprint, None] = None, *, enabled: bool = True,
                 **options: Any) -> None:
        raise_unknown(options, "CORS()", instead=_INSTEAD)
        self.enabled = require_bool("enabled", enabled, "CORS()")
        self.options = options
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Union[Flask, Blueprint], **options: Any) -> None:
        """Install on ``app`` (a Flask app or a blueprint); ``options`` add to the constructor's."""
        raise_unknown(options, "init_app()", instead=_INSTEAD)
        merged = {**self.options, **options}
        if isinstance(app, Blueprint):
            self._init_blueprint(app, _options(self.enabled, merged))
            return
        policy = _config_policy(app, merged) if self.enabled else None
        state = app.extensions.get(EXTENSION_KEY)
        if state is not None:
            state.refresh(policy, keywords=merged)  # validated whole, then swapped; on error the old policy stays
            return
        state = _AppCORS(app)
        state.refresh(policy, keywords=merged)  # nothing is installed unless the whole configuration is valid
        _install(app, state)

    def _init_blueprint(self, blueprint: Blueprint, options: Options) -> None:
        def register(setup_state: Any) -> None:
            name_prefix = getattr(setup_state, "name_prefix", "")
            name = f"{name_prefix}.{setup_state.name}".lstrip(".")
            # validated whole, then swapped; on error the configuration in force stays
            _app_state(setup_state.app).refresh(blueprints={name: options})

        setattr(register, BLUEPRINT_MARK, True)
        blueprint.record(register)
        _record_rules(blueprint)

    @staticmethod
    def policy_for(app: Flask, environ: Dict[str, Any]) -> Optional[Policy]:
        """The policy ``app`` applies to the request in ``environ`` (None: no CORS)."""
        state = app.extensions.get(EXTENSION_KEY)
        return state.policy_for(environ) if state is not None else None


def _views_without_extension(sender: Flask, **_: Any) -> None:
    """``request_started``: CORS for the ``@cross_origin`` views of an app without ``CORS(app)``.

    The signal comes before any ``before_request`` function (an auth check
    aborting 401 cannot break a preflight) and before Flask raises a routing
    error, so a preflight is answered for the view of the method it asks
    about, whatever methods the rule accepts. Other responses of the view,
    ``abort(...)`` pages, 405s and 500 pages included, are decorated like
    ``CORS(app)`` decorates them. Both are applied from ``request_finished``
    (:func:`_views_finished`), after every ``after_request`` function, so only
    the policy writes the CORS headers.
    """
    app = sender
    state = app.extensions.get(EXTENSION_KEY)
    environ = request.environ
    if state is not None and environ.get(ENVIRON_KEY) is state:
        return  # CORS(app) has applied CORS at the WSGI level
    views = app.extensions.get(VIEWS_KEY)
    if views is None:
        views = app.extensions[VIEWS_KEY] = _AppCORS(app, lenient=True)
    endpoint, policy = views.lookup(environ)
    refusal = views.refusal(endpoint)
    if refusal is not None:
        raise refusal  # this view only; CORS(app) reports it at set-up instead
    if policy is None:
        return
    environ[ENVIRON_KEY] = views  # CORS is this app's answer: a CORS(app) wrapped around it leaves it alone
    if is_preflight(environ.get("REQUEST_METHOD", ""), environ.get("HTTP_ORIGIN"),
                    environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")):
        answer = preflight_answer(policy, environ)
        environ[LENIENT_KEY] = answer
        abort(app.response_class(answer.body, answer.status))  # skips before_request functions and the view
    environ[LENIENT_KEY] = policy


def _views_finished(sender: Flask, response: Any, **_: Any) -> None:
    """``request_finished``, after every ``after_request`` function: the response becomes what the
    policy :func:`_views_without_extension` chose makes of it (a preflight: exactly its answer)."""
    chosen = request.environ.pop(LENIENT_KEY, None)
    if chosen is None:
        return
    if isinstance(chosen, Policy):
        response.headers = Headers(response_decorator(chosen, request.environ)(response.headers.to_wsgi_list()))
        return
    # request_finished cannot replace the response object: it takes the answer's status, headers and body
    response.status = chosen.status
    response.headers = Headers(chosen.headers)
    response.response = [chosen.body]
    response.direct_passthrough = False


def cross_origin(view: Optional[Callable[..., Any]] = None, *, enabled: bool = True,
                 **options: Any) -> Any:
    """Give one view its own policy: ``@cross_origin(origins=[...])``; ``enabled=False`` opts out.

    ``options`` are :class:`wsgicors.Policy`'s keyword arguments, layered on the
    app's policy (or on ``app.config`` when the app has none). The decorator
    only marks the view, so it may sit under or over ``@app.route``, and in a
    ``MethodView``'s ``decorators``. With ``CORS(app)`` the view's preflights
    are answered before routing; without it, from Flask's ``request_started``
    signal, before any ``before_request`` function. A view that lists
    ``OPTIONS`` in its methods still gets every non-preflight ``OPTIONS``.

    Raises :class:`wsgicors.ConfigError` at decoration for options that are
    wrong on their own (``max_age=-1``, ``enabled="false"``: only ``True`` or
    ``False``, ``wsgicors.E200``); options that conflict with the app's
    policy raise from ``CORS(app)``/``init_app``, from the view's registration
    after ``CORS(app)``, or (without ``CORS(app)``) on the view's requests.
    """
    if view is not None:  # used bare: @cross_origin
        return cross_origin(enabled=enabled, **options)(view)
    raise_unknown(options, "@cross_origin()", instead=_INSTEAD)
    marked = _options(require_bool("enabled", enabled, "@cross_origin()"), options)
    if marked:
        _check_alone(marked)
    request_started.connect(_views_without_extension, weak=False)
    request_finished.connect(_views_finished, weak=False)

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        setattr(function, VIEW_ATTRIBUTE, marked)
        return function

    return decorate


def _check_alone(options: Dict[str, Any]) -> None:
    """Raise what is wrong with ``options`` whatever policy they are layered on."""
    if "origins" in options:
        Policy(**options)
        return
    try:
        Policy(origins=[_SOME_ORIGIN], **options)
    except ConfigError as error:
        problems = [problem for problem in error.problems if problem.option != "origins"]
        if problems:
            raise ConfigError(problems) from None
