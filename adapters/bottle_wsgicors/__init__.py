"""Bottle plugin for wsgicors: ``app.install(CORSPlugin(origins=[...]))``.

::

    import bottle
    from bottle_wsgicors import CORSPlugin

    app = bottle.Bottle()
    app.install(CORSPlugin(origins=["https://app.example.com"], max_age=600))

    @app.route("/api/items", method=["GET", "POST"])
    def items(): ...

    @app.route("/api/partner", cors={"origins": ["https://partner.example"]})  # own policy
    def partner(): ...

    @app.route("/internal", cors=False)   # no CORS (skip=["cors"] works too)
    def internal(): ...

Framework glue only: every CORS decision is made by :func:`wsgicors.middleware.handle`.
The plugin wraps the app's WSGI entry point, so preflights are answered before
Bottle routes them (routes need not accept OPTIONS) and every response Bottle
produces, ``HTTPError`` pages and 500s included, passes through the same
decorator; ``exc_info`` reaches the server unchanged.

The route whose policy applies is the one Bottle itself will call: the path is
decoded as that Bottle release does (UTF-8; 0.13 drops bytes that are not
UTF-8, 0.12 answers 400) and matched by the app's own router, using the Bottle
module the app was built from (a vendored copy, such as pypiserver's, works).
Routes of a Bottle app mounted with ``outer.mount("/inner/", inner)`` keep the
inner app's own plugin and policy; an app mounted as a WSGI app (Bottle 0.12,
or a prefix without a trailing slash) answers CORS itself.

Bottle runs ``before_request`` hooks before routing, and a hook may rewrite
``PATH_INFO`` (Bottle's "ignore trailing slashes" recipe, a version prefix),
so Bottle calls another route than the raw path names. When routes have
policies of their own:

- A preflight is answered with the policy of the route Bottle would call: the
  app's ``before_request`` hooks (then its ``after_request`` hooks, as Bottle
  pairs them) run on a copy of the environ, with Bottle's thread-local
  ``request`` bound to it and restored afterwards, and the path they leave is
  matched by the app's router with the ``Access-Control-Request-Method``. A
  hook that raises for the preflight (``abort``, ``redirect``, a failure)
  leaves the route unknown, so the preflight fails closed: it is refused (403,
  :func:`wsgicors.engine.refuse_preflight`) and a WARNING is logged once.
  Preflights carry no credentials: an auth hook should let ``OPTIONS`` through.
- The actual response is checked when it starts against the route Bottle ran
  (``environ["bottle.route"]``, both releases) or, when none ran (a hook
  answered, 404, 405), the route the path the hooks left matches: if its
  policy is not the chosen one, the response's ``Access-Control-*`` headers
  are replaced by that policy's (removed for a route without CORS,
  :func:`wsgicors.middleware.repolicy_response`) and a WARNING is logged once.

Hooks, router and ``HTTPError`` are always those of the Bottle module the app
was built from.
"""

from __future__ import annotations

import functools
import re
import sys
from types import ModuleType
from typing import Any, Callable, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple, Union

import bottle

from wsgicors import ConfigError, Policy
from wsgicors.engine import refuse_preflight
from wsgicors.errors import Problems
from wsgicors.fetch import is_preflight, split_list
from wsgicors.middleware import OWNER_KEY, handle, repolicy_response, warn_limited
from wsgicors.options import raise_unknown
from wsgicors.policy import require_policy
from wsgicors.settings import OPTION_NAMES, options_from_settings, policy_from_settings

__all__ = ["CORSPlugin"]

ROUTE_KEY = "cors"
# flask-cors's per-path resources, spelt as what the plugin offers (it takes no rules)
_INSTEAD = {"resources": "flask-cors's resources: give a route its own policy with "
                         "@app.route(path, cors={...})"}


class CORSPlugin:
    """CORS for one or more Bottle apps (plugin API 2).

    ``CORSPlugin(**options)`` takes :class:`wsgicors.Policy`'s keyword arguments
    (or ``policy=Policy(...)``) and validates them at once, raising
    :class:`wsgicors.ConfigError`. Options are layered as in every adapter:
    the app's ``cors.*`` config keys (``app.config["cors.max_age"] = "600"``),
    then the plugin's keyword arguments, which win, then a route's own
    ``cors={...}`` config; ``policy=Policy(...)`` is complete on its own (the
    app config is not read). Without ``origins`` the plugin takes them from
    ``cors.origins`` in the app config; the merged options are checked at
    install, every problem at once, naming the config keys. A route's ``cors=Policy(...)`` replaces the
    policy; ``cors=False`` (or ``None``) or ``skip=["cors"]`` turns CORS off for
    that route; any other ``cors`` value (``"false"``, ``True``) is a
    :class:`wsgicors.ConfigError` (``wsgicors.E710``).

    Everything is checked before it is used: ``app.install(plugin)`` checks
    the app config and the routes already added, each route added later is
    checked as ``@app.route`` adds it, and a ``cors.*`` config change is
    checked before Bottle stores it. Errors name the route and key.
    """

    name = "cors"
    api = 2

    def __init__(self, policy: Optional[Policy] = None, **options: Any) -> None:
        if policy is not None and options:
            raise TypeError("pass either policy=Policy(...) or policy options, not both")
        raise_unknown(options, "CORSPlugin()", instead=_INSTEAD)
        #: the policy built from the arguments alone; None while the origins are left to app.config
        self.policy: Optional[Policy] = (require_policy(policy, "CORSPlugin()") if policy is not None
                                         else _arguments_policy(options))
        self._options = None if policy is not None else options  # None: a complete Policy was given
        self._apps: List[bottle.Bottle] = []

    # -- plugin API ----------------------------------------------------------

    def setup(self, app: bottle.Bottle) -> None:
        for other in app.plugins:
            if getattr(other, "name", None) == self.name:
                raise _bottle_of(app).PluginError(f"a plugin named {self.name!r} is already installed")
        wrapper = _AppCORS(self, app, app.wsgi, self.app_policy(app.config))
        for route in app.routes:  # added before the plugin: checked now, before anything is installed
            wrapper.owner_policy(route)
        app.wsgi = wrapper  # the instance attribute shadows Bottle.wsgi, which __call__ uses
        add_route = app.add_route

        def checked_add_route(route: Any) -> None:
            wrapper.owner_policy(route)  # a bad route stops the app where it is declared
            add_route(route)

        app.add_route = checked_add_route  # the instance attribute shadows Bottle.add_route
        app.add_hook("app_reset", wrapper.reset)
        app.add_hook("config", wrapper.config_changed)
        self._apps.append(app)

    def apply(self, callback: Callable[..., Any], route: bottle.Route) -> Callable[..., Any]:
        """``callback``, refused where an app without this plugin runs it.

        CORS happens around the whole app, not around one callback, so a route
        that an app without this plugin serves would answer without a policy:
        Bottle 0.13's ``outer.mount("/inner/", inner)`` and ``outer.merge(inner)``
        copy ``inner``'s routes into ``outer``, whose entry point runs them, so
        ``inner``'s plugin never sees their requests. Their callback then raises
        ConfigError ``wsgicors.E711`` (Bottle answers 500 and logs it) rather
        than let the route answer without its policy (its own CORS headers would
        reach the browser). A mount leaves a trace, so that is known when the
        plugin is applied; a merge leaves none, so each call checks which app's
        entry point runs it (one environ lookup). Bottle applies plugins again
        after ``outer.install(...)``, so installing CORSPlugin on the outer app
        (in any order) gives these routes their own app's policy.
        """
        own = route.app
        error = ConfigError(Problems.single(
            f"route {route.method} {route.rule}", "wsgicors.E711",
            "the app with this CORSPlugin was mounted or merged with its routes copied into an app "
            "without one, whose entry point runs them: the plugin's policy cannot govern their responses",
            "install CORSPlugin on the app it is mounted into too (its routes keep this app's policy), or "
            "mount it as a WSGI app (a prefix without a trailing slash)"))
        serving = _serving_app(own)
        if serving is not own and not _governs(serving):
            def refused(*args: Any, **kwargs: Any) -> Any:
                raise error

            return refused
        # app.merge() copies routes without a trace (no _mount.app): which app runs them is known
        # only per request, from the entry point Bottle records in the environ.
        request = _bottle_of(own).request

        @functools.wraps(callback)
        def governed(*args: Any, **kwargs: Any) -> Any:
            running = request.environ.get("bottle.app")
            if running is own or running is serving or _governs(running):
                return callback(*args, **kwargs)
            raise error

        return governed

    def close(self) -> None:
        """Unwrap every app this plugin is no longer installed on."""
        for app in list(self._apps):
            if self not in app.plugins:
                wrapper = app.__dict__.pop("wsgi", None)
                app.__dict__.pop("add_route", None)
                if isinstance(wrapper, _AppCORS):
                    app.remove_hook("app_reset", wrapper.reset)
                    app.remove_hook("config", wrapper.config_changed)
                self._apps.remove(app)

    # -- policies ------------------------------------------------------------

    def app_policy(self, config: Mapping[str, Any]) -> Policy:
        """The policy for an app with ``config``: its ``cors.*`` keys, the plugin's arguments winning."""
        settings = {key: value for key, value in config.items() if key.startswith(ROUTE_KEY + ".")}
        if self.policy is not None and (self._options is None or not settings):
            return self.policy
        assert self._options is not None
        return policy_from_settings(settings, ROUTE_KEY + ".", entry="Bottle app.config",
                                    keywords_entry="CORSPlugin()", keywords_instead=_INSTEAD, **self._options)

    def skipped_by(self, route: bottle.Route) -> bool:
        skip = route.skiplist
        return (True in skip or self in skip or self.name in skip or type(self) in skip
                or _own_config(route).get(ROUTE_KEY, True) in (False, None))

    def route_policy(self, route: bottle.Route, base: Optional[Policy] = None) -> Optional[Policy]:
        """The policy for ``route``: ``base`` (the app's policy) layered with its own ``cors`` config, or None.

        Raises :class:`wsgicors.ConfigError` naming the route for a ``cors``
        value that is not ``False``, ``None``, a dict of options or a Policy.
        """
        if base is None:
            base = self.policy if self.policy is not None else self.app_policy({})
        own_config = _own_config(route)
        where = f"route {route.method} {route.rule}"
        own = own_config.get(ROUTE_KEY, _ABSENT)
        # a dict: 0.13 keeps only its flattened cors.* keys, 0.12 also a Namespace (a Mapping) under "cors"
        if not (own is _ABSENT or own is False or own is None or isinstance(own, (Policy, Mapping))):
            raise ConfigError(Problems.single(
                f"{where}: {ROUTE_KEY}", "wsgicors.E710",
                f"{own!r} is not False, None, a dict of options or a Policy",
                "write cors=False (or skip=['cors']) to turn CORS off for this route, cors={...} to change "
                "options, or leave cors out for the app's policy"))
        if self.skipped_by(route):
            return None
        if isinstance(own, Policy):
            return own
        options: Dict[str, Any] = {}
        try:
            options = options_from_settings(own_config, ROUTE_KEY + ".", entry="the route's cors.* config")
            return base.replace(**options) if options else base
        except ConfigError as error:
            # what the route or the app config set is named as its cors.* key, in messages and hints too
            keys = {name: _key(name) for name in OPTION_NAMES
                    if name in options or (self._options is not None and name not in self._options)}
            raise ConfigError(p.spelt(keys).renamed(f"{where}: {_key(p.option)}")
                              for p in error.problems) from None


_ABSENT: Any = object()


class _Refusal(NamedTuple):
    """A preflight whose route is unknown (a before_request hook raised): refused, fail closed."""

    reason: str


def _answers_itself(route: Any) -> bool:
    """Whether ``route`` is a WSGI mount point of a Bottle app with its own CORSPlugin (both releases)."""
    target = route.config.get("mountpoint.target")
    return target is not None and isinstance(getattr(target, "__dict__", {}).get("wsgi"), _AppCORS)


def _governs(app: Any) -> bool:
    """Whether ``app``'s entry point applies a CORSPlugin (it runs the routes it serves under a policy)."""
    return isinstance(getattr(app, "__dict__", {}).get("wsgi"), _AppCORS)


def _serving_app(app: Any) -> Any:
    """The app whose entry point runs ``app``'s routes: the one ``app`` was mounted into with its routes
    copied (Bottle 0.13 records it as ``_mount.app``), and so on outwards; else ``app`` itself."""
    seen = {id(app)}
    while True:
        outer = app.config.get("_mount.app") if hasattr(app.config, "get") else None
        if outer is None or id(outer) in seen or not hasattr(outer, "config"):
            return app
        seen.add(id(outer))
        app = outer


def _thread_state(local: Any) -> Dict[str, Any]:
    """The set thread-local fields of Bottle's ``request`` or ``response`` (its class's own properties)."""
    state = {}
    for name, field in vars(type(local)).items():
        if isinstance(field, property):
            try:
                state[name] = getattr(local, name)
            except (RuntimeError, AttributeError):  # not bound in this thread
                continue
    return state


def _restore_thread_state(local: Any, state: Dict[str, Any]) -> None:
    for name, field in vars(type(local)).items():
        if isinstance(field, property):
            if name in state:
                setattr(local, name, state[name])
            else:
                try:
                    delattr(local, name)
                except AttributeError:
                    pass


def _arguments_policy(options: Dict[str, Any]) -> Optional[Policy]:
    """The Policy of ``CORSPlugin(**options)``; None when only the origins are missing.

    The app's ``cors.origins`` config may supply them: the merged options are
    checked when the plugin is installed. Any other problem is the
    arguments' own (they win over the config), so it is raised now.
    """
    try:
        return Policy(**options)
    except ConfigError as error:
        if "origins" in options:
            raise
        others = [problem for problem in error.problems if problem.code != "wsgicors.E100"]
        if others:
            raise ConfigError(others) from None
        return None


def _own_config(route: bottle.Route) -> Dict[str, Any]:
    """The config given to the route itself: Bottle 0.13 overlays the app's config on it."""
    inherited = getattr(route.config, "_virtual_keys", None)  # 0.12's ConfigDict answers None for any name
    if not isinstance(inherited, (set, frozenset)):
        inherited = ()
    return {key: value for key, value in route.config.items() if key not in inherited}


def _key(option: str) -> str:
    return option if option.startswith(ROUTE_KEY + ".") else f"{ROUTE_KEY}.{option}"


def _bottle_of(app: Any) -> ModuleType:
    """The Bottle module ``app`` was built from: the installed one or a vendored copy."""
    return sys.modules.get(type(app).__module__) or bottle


def _release(module: ModuleType) -> Tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", getattr(module, "__version__", "0.13"))[:2])


def bottle_path(module: ModuleType, path_info: str) -> Optional[str]:
    """``PATH_INFO`` as Bottle's ``_handle`` decodes it before routing; None: Bottle answers 400.

    The server hands Bottle latin-1-decoded bytes; Bottle re-decodes them as
    UTF-8. Bottle 0.13 drops the bytes that are not UTF-8 (so ``/admin/dat%FFa``
    is routed to ``/admin/data``); 0.12 answers ``400 Invalid path string``.
    """
    try:
        raw = path_info.encode("latin-1")
    except UnicodeEncodeError:
        return path_info  # not a server's PATH_INFO: Bottle would use it as it is
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None if _release(module) < (0, 13) else raw.decode("utf-8", "ignore")


class _AppCORS:
    """One app's WSGI entry point with CORS; per-app state only (route -> policy)."""

    def __init__(self, plugin: CORSPlugin, app: bottle.Bottle, wsgi: Callable[..., Any], policy: Policy) -> None:
        self.plugin = plugin
        self.app = app
        self.wsgi = wsgi
        self.policy = policy  # the app-wide policy: app.config cors.* keys, the plugin's arguments winning
        self.module = _bottle_of(app)
        self._policies: Dict[Any, Optional[Policy]] = {}
        self._checked = 0  # how many of app.routes were looked at for own policies
        self._overridden = False

    def reset(self) -> None:
        self._policies = {}
        self._checked = 0
        self._overridden = False

    def config_changed(self, *args: Any) -> None:
        """Bottle's ``config`` hook, called before a key is stored: a refused ``cors.*`` value is not stored.

        Bottle 0.13 passes (config, key, value), 0.12 (key, value).
        """
        key, value = args[-2:]
        if not isinstance(key, str) or not key.startswith(ROUTE_KEY + "."):
            return
        policy = self.plugin.app_policy({**self.app.config, key: value})
        for route in self.app.routes:  # this app's routes layer on its policy: checked with the new one
            if route.app is self.app:
                self.plugin.route_policy(route, policy)
        self.policy = policy
        self.reset()

    def route_policy(self, route: bottle.Route) -> Optional[Policy]:
        """``route``'s policy on this app (ConfigError if its configuration is refused)."""
        return self.plugin.route_policy(route, self.policy)

    def _route_policy(self, route: bottle.Route) -> Optional[Policy]:
        try:
            return self._policies[route]
        except KeyError:
            policy = self._policies[route] = self.owner_policy(route)
            return policy

    def owner_policy(self, route: bottle.Route) -> Optional[Policy]:
        """The policy of the plugin that owns ``route``.

        A route copied in by ``mount()`` still belongs to its own app (Bottle
        applies that app's plugins to it), so that app's CORSPlugin decides. A
        WSGI mount point hands the request to the mounted app, which, if it has a
        CORSPlugin, answers CORS itself: this app then stays out of the way.
        """
        if _answers_itself(route):
            return None
        owner = route.app.__dict__.get("wsgi") if route.app is not self.app else self
        if isinstance(owner, _AppCORS) and owner is not self:
            return owner.route_policy(route)
        return self.route_policy(route)

    def _any_override(self) -> bool:
        """Whether any route has a policy of its own (if not, routing can be skipped)."""
        routes = self.app.routes
        if self._checked != len(routes):
            self._overridden = any(self._route_policy(route) is not self.policy for route in routes)
            self._checked = len(routes)
        return self._overridden

    def _route(self, environ: Dict[str, Any]) -> Any:
        """The route Bottle will call (for a preflight: for the asked-for method).

        If the path exists only for other methods, the route of the first of
        those answers, so a 405 page carries that route's CORS headers. None:
        no route (the app-wide policy answers); a :class:`_Refusal` when a
        ``before_request`` hook raised for the preflight.
        """
        method = environ.get("REQUEST_METHOD", "GET")
        asked = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        path = bottle_path(self.module, environ.get("PATH_INFO") or "/")
        if path is None:
            return None  # Bottle answers 400 without hooks or routing
        if is_preflight(method, environ.get("HTTP_ORIGIN"), asked):
            method = asked
            if self._hooks("before_request"):
                path = self._hooked_path(environ, path)
                if isinstance(path, _Refusal):
                    return path
        return self._match(path, method)

    def _match(self, path: str, method: str) -> Optional[bottle.Route]:
        """The route the app's router gives a decoded ``path`` and ``method``; for a 405, the path's route."""
        match = self.app.router.match
        error_class = self.module.HTTPError
        try:
            return match({"PATH_INFO": path, "REQUEST_METHOD": method})[0]
        except error_class as error:
            allowed = error.headers.get("Allow", "") if error.status_code == 405 else ""
        for other in split_list(allowed):
            try:
                return match({"PATH_INFO": path, "REQUEST_METHOD": other})[0]
            except error_class:
                continue
        return None

    def _hooks(self, name: str) -> bool:
        """Whether the app has ``name`` hooks (both releases keep them in ``Bottle._hooks``)."""
        hooks = getattr(self.app, "_hooks", None)
        return bool(hooks.get(name)) if isinstance(hooks, Mapping) else True

    def _hooked_path(self, environ: Dict[str, Any], path: str) -> Union[str, _Refusal]:
        """The ``PATH_INFO`` Bottle routes a preflight on after the app's ``before_request`` hooks.

        The hooks run as Bottle's ``_handle`` runs them, with ``bottle.request``
        bound to a copy of the environ (path decoded, ``bottle.app`` set), then
        the ``after_request`` hooks, as Bottle always runs them; the response
        they build is thrown away and the thread's ``request``/``response``
        are restored. A :class:`_Refusal` when a hook raised (``abort()``,
        ``redirect()`` or a failure): which route the actual request reaches is
        then unknown.
        """
        module, app = self.module, self.app
        copy = dict(environ, PATH_INFO=path)
        copy["bottle.raw_path"] = environ.get("PATH_INFO")
        copy["bottle.app"] = app
        saved = [(local, _thread_state(local)) for local in (module.request, module.response)]
        try:
            module.request.bind(copy)
            module.response.bind()
            try:
                app.trigger_hook("before_request")
            finally:
                app.trigger_hook("after_request")
        except Exception as error:  # HTTPResponse (abort, redirect) is an Exception in both releases
            reason = (f"a before_request hook raised {type(error).__name__} for the preflight, so the route "
                      "Bottle would call is unknown")
            warn_limited(("bottle_wsgicors", "preflight hook", type(error).__name__),
                         reason + ": the preflight was refused (fail closed); let preflights (OPTIONS with "
                         "Access-Control-Request-Method, never credentialed) through the hook", environ)
            return _Refusal(reason)
        finally:
            for local, state in saved:
                _restore_thread_state(local, state)
        return copy.get("PATH_INFO") or "/"

    def policy_for(self, environ: Dict[str, Any]) -> Union[Policy, None, _Refusal]:
        """The policy covering the request (None: no CORS), or why its preflight is refused."""
        if not self._any_override():
            return self.policy
        route = self._route(environ)
        if isinstance(route, _Refusal):
            return route
        return self.policy if route is None else self._route_policy(route)

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ[OWNER_KEY] = self  # this app's routes' policies (or exemptions) decide, not a layer around it
        policy = self.policy_for(environ)
        if isinstance(policy, _Refusal):  # the app-wide policy supplies Vary and the debug switch
            answer = refuse_preflight(self.policy, policy.reason)
            start_response(answer.status, list(answer.headers))
            return [answer.body]
        if policy is None:
            return self.wsgi(environ, start_response)
        if self._overridden:  # route policies differ: a before_request hook may change the route
            start_response = self._ran_route_policy(policy, environ, start_response)
        # catchall=False is Bottle's switch for debugging middleware: exceptions pass through then.
        return handle(policy, self.wsgi, environ, start_response, not self.app.catchall)

    def _ran_route_policy(self, chosen: Policy, environ: Dict[str, Any],
                          start_response: Callable[..., Any]) -> Callable[..., Any]:
        """``start_response`` giving the response the policy of the route Bottle ran, if not ``chosen``."""

        def checked_start_response(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            ran = environ.get("bottle.route")  # set by Bottle's _handle once it routed (0.12 and 0.13)
            raw_path = environ.get("bottle.raw_path")  # set once Bottle's _handle started (0.12 and 0.13)
            if ran is None and raw_path is not None and bottle_path(self.module, raw_path) is not None:
                # Bottle ran no route (a hook answered, 404, 405; not 0.12's 400 for a path that is not
                # UTF-8): the route the path the hooks left designates (PATH_INFO is decoded by now)
                ran = self._match(environ.get("PATH_INFO") or "/", environ.get("REQUEST_METHOD", "GET"))
                policy = self.policy if ran is None else self._route_policy(ran)
                if policy is not chosen:
                    headers = repolicy_response(
                        policy, environ, headers, ("bottle_wsgicors", "path changed"),
                        "Bottle ran no route after the before_request hooks rewrote the path, which another "
                        "policy covers than the path the policy was chosen for")
            # a route of this app (or copied in by mount()); a WSGI-mounted app's routes are its own business
            elif ran is not None and (ran.app is self.app or ran in self.app.routes) \
                    and self._route_policy(ran) is not chosen:
                headers = repolicy_response(
                    self._route_policy(ran), environ, headers, ("bottle_wsgicors", "route changed", ran.rule),
                    f"Bottle ran route {ran.method} {ran.rule} after the before_request hooks, which has "
                    "another policy than the route the policy was chosen for")
            if exc_info is None:
                return start_response(status, headers)
            return start_response(status, headers, exc_info)

        return checked_start_response
