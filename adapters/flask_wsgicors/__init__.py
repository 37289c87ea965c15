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
"""

from __future__ import annotations

import functools
import weakref
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Tuple, Union
from urllib.parse import unquote, urlsplit

from flask import Blueprint, Flask, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect
from werkzeug.test import run_wsgi_app

from wsgicors import ConfigError, Policy
from wsgicors.fetch import is_preflight
from wsgicors.options import raise_unknown
from wsgicors.middleware import handle
from wsgicors.settings import policy_from_settings

__all__ = ["CORS", "cross_origin", "CONFIG_PREFIX"]

#: ``app.config`` keys are this prefix plus the option name upper-cased: ``CORS_ORIGINS``.
CONFIG_PREFIX = "CORS_"
EXTENSION_KEY = "wsgicors"
# Set in the WSGI environ when the app-level wrapper handles the request, so a
# @cross_origin view knows its CORS has already been applied.
ENVIRON_KEY = "wsgicors.flask"
VIEW_ATTRIBUTE = "_wsgicors_options"
RECORDER_ATTRIBUTE = "_wsgicors_records_rules"
#: Redirects of the URL map followed to find the view that finally answers.
MAX_REDIRECTS = 5

Options = Optional[Dict[str, Any]]  # None: CORS disabled (enabled=False)


def _options(enabled: bool, options: Mapping[str, Any]) -> Options:
    return dict(options) if enabled else None


def _config_policy(app: Flask, options: Mapping[str, Any], entry: str = "CORS()") -> Policy:
    """A policy from ``app.config`` with ``options`` winning; errors name the config key."""
    return policy_from_settings(app.config, CONFIG_PREFIX, upper=True, entry="Flask app.config",
                                keywords_entry=entry, **options)


def _layered(app: Flask, base: Optional[Policy], options: Options, where: str) -> Optional[Policy]:
    """A more specific policy: ``options`` on top of ``base`` (or of the app config)."""
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
        raise _located(error, where) from None


def _located(error: ConfigError, where: str) -> ConfigError:
    return ConfigError(problem.renamed(f"{where}: {problem.option}") for problem in error.problems)


class _AppCORS:
    """One Flask app's CORS state; installed as (and wrapping) ``app.wsgi_app``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.policy: Optional[Policy] = None  # the app-wide policy, if any
        self.blueprints: Dict[str, Options] = {}  # registered blueprint name -> options
        # endpoint -> full name of the blueprint whose registration added its rule
        self.owners: Dict[str, str] = {}
        # endpoint -> policy, for endpoints whose policy is not the app-wide one
        self._overrides: Dict[str, Optional[Policy]] = {}
        self._built_for: Tuple[int, int] = (-1, -1)

    # -- configuration -------------------------------------------------------

    def refresh(self) -> None:
        """(Re)compute the per-endpoint policies; ConfigError names the view or blueprint."""
        app = self.app
        blueprints = {name: _layered(app, self.policy, options, f"blueprint {name!r}")
                      for name, options in self.blueprints.items()}
        overrides: Dict[str, Optional[Policy]] = {}
        for endpoint, view in list(app.view_functions.items()):
            if hasattr(view, VIEW_ATTRIBUTE):
                parent = self._blueprint_policy(self.owners.get(endpoint), blueprints, self.policy)
                overrides[endpoint] = _layered(app, parent, getattr(view, VIEW_ATTRIBUTE),
                                               f"@cross_origin on {endpoint!r}")
                continue
            policy = self._blueprint_policy(self.owners.get(endpoint), blueprints, self.policy)
            if policy is not self.policy:
                overrides[endpoint] = policy
        self._overrides = overrides
        self._built_for = (len(app.view_functions), len(self.blueprints))

    @staticmethod
    def _blueprint_policy(owner: Optional[str], blueprints: Mapping[str, Optional[Policy]],
                          default: Optional[Policy]) -> Optional[Policy]:
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
        if self._built_for != (len(self.app.view_functions), len(self.blueprints)):
            self.refresh()
        if not self._overrides:
            return self.policy
        endpoint = self._endpoint(environ)
        if endpoint is None or endpoint not in self._overrides:
            return self.policy
        return self._overrides[endpoint]

    def _endpoint(self, environ: Dict[str, Any]) -> Optional[str]:
        """The endpoint Flask will route this request to (for a preflight: the asked-for method).

        A redirect of the URL map is followed to the view that answers its target.
        """
        method = environ.get("REQUEST_METHOD", "GET")
        asked = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        if is_preflight(method, environ.get("HTTP_ORIGIN"), asked):
            method = asked
        try:
            adapter = self.app.create_url_adapter(self.app.request_class(environ))
        except HTTPException:  # a bad host: the app-wide policy answers
            return None
        if adapter is None:
            return None
        path_info: Optional[str] = None  # None: the request's own path
        for _ in range(MAX_REDIRECTS + 1):
            try:
                return _match(adapter, path_info, method)
            except RequestRedirect as redirect:
                path_info = _redirect_path(adapter.script_name, redirect.new_url)
                if path_info is None:
                    return None
            except HTTPException:  # 404 and other failures: the app-wide policy answers
                return None
        return None

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ[ENVIRON_KEY] = self
        policy = self.policy_for(environ)
        if policy is None:
            return self.wsgi_app(environ, start_response)
        # Flask re-raises in debug and testing mode for the debugger and the test client: let it
        # through then; otherwise (PROPAGATE_EXCEPTIONS under a real server) the page gets a 500 with CORS.
        return handle(policy, self.wsgi_app, environ, start_response, self.app.debug or self.app.testing)


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


def _app_state(app: Flask) -> _AppCORS:
    state = app.extensions.get(EXTENSION_KEY)
    if state is None:
        state = _AppCORS(app)
        app.extensions[EXTENSION_KEY] = state
        app.wsgi_app = state  # type: ignore[method-assign]
    return state


class CORS:
    """The Flask extension: ``CORS(app, **options)`` or ``CORS(**options).init_app(app)``.

    ``options`` are :class:`wsgicors.Policy`'s keyword arguments; they win over
    ``app.config["CORS_<OPTION>"]``. ``CORS(blueprint, **options)`` gives a
    blueprint's routes their own policy. ``enabled=False`` turns CORS off for
    the app (then only blueprints and views with their own policy get it) or
    for the blueprint. One extension object may initialise several apps.
    Configuration problems raise :class:`wsgicors.ConfigError` from
    ``init_app`` (or ``register_blueprint``), naming the config key.
    """

    def __init__(self, app: Union[Flask, Blueprint, None] = None, *, enabled: bool = True,
                 **options: Any) -> None:
        raise_unknown(options, "CORS()")
        self.enabled = enabled
        self.options = options
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Union[Flask, Blueprint], **options: Any) -> None:
        """Install on ``app`` (a Flask app or a blueprint); ``options`` add to the constructor's."""
        raise_unknown(options, "init_app()")
        merged = {**self.options, **options}
        if isinstance(app, Blueprint):
            self._init_blueprint(app, _options(self.enabled, merged))
            return
        policy = _config_policy(app, merged) if self.enabled else None
        state = _app_state(app)
        state.policy = policy
        state.refresh()

    def _init_blueprint(self, blueprint: Blueprint, options: Options) -> None:
        def register(setup_state: Any) -> None:
            state = _app_state(setup_state.app)
            name_prefix = getattr(setup_state, "name_prefix", "")
            name = f"{name_prefix}.{setup_state.name}".lstrip(".")
            state.blueprints[name] = options
            state.refresh()

        blueprint.record(register)
        _record_rules(blueprint)

    @staticmethod
    def policy_for(app: Flask, environ: Dict[str, Any]) -> Optional[Policy]:
        """The policy ``app`` applies to the request in ``environ`` (None: no CORS)."""
        state = app.extensions.get(EXTENSION_KEY)
        return state.policy_for(environ) if state is not None else None


def _response_from_wsgi(app: Flask, wsgi_app: Callable[..., Iterable[bytes]]) -> Any:
    """A Flask response with exactly the status, headers and body ``wsgi_app`` produced."""
    body, status, headers = run_wsgi_app(wsgi_app, request.environ)
    typed = "Content-Type" in headers
    response = app.response_class(body, status, headers)
    if not typed:
        del response.headers["Content-Type"]  # Flask would add its default mimetype
    return response


def cross_origin(view: Optional[Callable[..., Any]] = None, *, enabled: bool = True,
                 **options: Any) -> Any:
    """Give one view its own policy: ``@cross_origin(origins=[...])``; ``enabled=False`` opts out.

    ``options`` are layered on the app's policy (or on ``app.config`` when the app
    has none). Put it under ``@app.route``. With ``CORS(app)`` the view's
    preflights are answered before routing (and the decorator may also sit over
    ``@app.route``); without it, the view answers its own preflights and
    decorates its own responses.
    """
    if view is not None:  # used bare: @cross_origin
        return cross_origin(enabled=enabled, **options)(view)
    raise_unknown(options, "@cross_origin()")
    marked = _options(enabled, options)
    if marked and "origins" in marked:
        Policy(**marked)  # fail at import time for what can be checked on its own

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        setattr(function, VIEW_ATTRIBUTE, marked)
        own_options = getattr(function, "provide_automatic_options", None) is False
        policies: "weakref.WeakKeyDictionary[Flask, Optional[Policy]]" = weakref.WeakKeyDictionary()

        def call_view(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
            if request.method == "OPTIONS" and not own_options:
                return current_app.make_default_options_response()  # what Flask would have done
            return current_app.ensure_sync(function)(*args, **kwargs)

        @functools.wraps(function)
        def view_with_cors(*args: Any, **kwargs: Any) -> Any:
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            state = app.extensions.get(EXTENSION_KEY)
            if state is not None and request.environ.get(ENVIRON_KEY) is state:  # CORS(app) applies it
                return call_view(args, kwargs)
            if app not in policies:
                policies[app] = _layered(app, None, marked, f"@cross_origin on {request.endpoint!r}")
            policy = policies[app]
            if policy is None:
                return call_view(args, kwargs)

            def view_app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
                return app.make_response(call_view(args, kwargs))(environ, start_response)

            # propagate: an exception in the view goes to Flask's own error handling, as without CORS.
            return _response_from_wsgi(app, functools.partial(handle, policy, view_app, propagate=True))

        # Let OPTIONS reach the view, so it can answer its preflight without CORS(app).
        view_with_cors.provide_automatic_options = False  # type: ignore[attr-defined]
        view_with_cors.required_methods = set(getattr(function, "required_methods", ())) | {"OPTIONS"}  # type: ignore[attr-defined]
        return view_with_cors

    return decorate
