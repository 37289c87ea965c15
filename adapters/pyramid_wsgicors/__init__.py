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

Path policies match ``PATH_INFO`` like :class:`wsgicors.CORSMiddleware`'s
``rules`` (first declared wins; the app-wide policy covers the rest), and fail
closed the same way: a path that Pyramid's traversal or a router would rewrite
(``//``, ``.``/``..`` segments, bytes that are not UTF-8), and a request with
an ``X-Vhm-Root`` header (the traverser prefixes it to the path), get no CORS
unless only the app-wide policy is configured. A path declared inside an include
loaded with ``route_prefix`` gets that prefix, as Pyramid's routes do; ``/*``
there also covers the prefix itself (the include's root route), and a prefix
placeholder (``/{tenant}/admin``) is allowed for exemptions only (ConfigError
``wsgicors.E701`` for a policy that grants CORS).

Framework glue only: a tween placed over Pyramid's exception view tween answers
preflights before any view lookup (:func:`wsgicors.middleware.preflight_answer`);
for other requests it lets Pyramid finish the response (views, exception views,
response callbacks, ``NewResponse`` subscribers) and then applies the policy's
headers and one merged ``Vary`` as the request's last finished callback, just
before the response is sent. Exceptions no exception view handles go on up the
tween chain untouched (pyramid_tm must see them to abort; pyramid_debugtoolbar
shows them); an exception view for ``Exception`` is Pyramid's way to answer
them, and that response carries the CORS headers.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from pyramid.config import Configurator
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response
from pyramid.tweens import EXCVIEW
from pyramid.urldispatch import old_route_re, route_re

from wsgicors import ConfigError, Policy, Problem
from wsgicors.errors import Problems
from wsgicors.middleware import Rules, preflight_answer, response_decorator
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
        self.default_given = False

    def policy(self, enabled: bool, policy: Optional[Policy], options: Dict[str, Any]) -> Optional[Policy]:
        if not enabled:
            return None
        if policy is not None:
            if options:
                raise TypeError("pass either policy=Policy(...) or policy options, not both")
            return policy
        return policy_from_settings(self.settings, SETTINGS_PREFIX, entry=ENTRY,
                                    keywords_entry="config.add_cors_policy()", keywords_instead=_INSTEAD,
                                    **options)

    def rules(self) -> Rules:
        rules = list(self.paths)
        if self.default is None and self.from_settings and not self.default_given:
            policy_from_settings(self.settings, SETTINGS_PREFIX, entry=ENTRY, keywords_instead=_INSTEAD)  # raises: names what is missing
        if self.default is not None:
            rules.append((DEFAULT, self.default))
        if not rules:
            raise ConfigError([Problem(
                SETTINGS_PREFIX + "origins", "no CORS policy is configured",
                "set cors.origins in the settings or call config.add_cors_policy(origins=[...])",
                "wsgicors.E700")])
        return Rules.build(rules=rules)


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
    config.add_tween("pyramid_wsgicors.tween_factory", over=EXCVIEW)


def add_cors_policy(config: Configurator, path: Optional[str] = None, *, policy: Optional[Policy] = None,
                    enabled: bool = True, **options: Any) -> None:
    """``config.add_cors_policy([path], **options)``: the app-wide policy, or one for ``path``.

    ``options`` are :class:`wsgicors.Policy`'s keyword arguments layered on the
    ``cors.*`` settings; ``policy=Policy(...)`` gives a ready policy;
    ``enabled=False`` exempts ``path``. Validated at once (ConfigError).
    Declaring the same path twice is a configuration conflict.
    """
    configuration = _configuration(config.registry)
    built = configuration.policy(enabled, policy, options)
    paths: List[str] = []
    if path is not None:
        Rules.build(rules=[(path, built)])  # check the pattern now
        paths = _prefixed(path, (config.route_prefix or "").strip("/"), built is not None)

    def register() -> None:
        if path is None:
            configuration.default = built
            configuration.default_given = True
        else:
            configuration.paths.extend((pattern, built) for pattern in paths)

    config.action(("wsgicors.policy", paths[-1] if paths else DEFAULT), register)


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
                "declare the policy outside the include with the paths it covers spelled out, or exempt "
                "with enabled=False (its placeholder then matches any text, '/' included)"))
        prefix = placeholder.sub("*", prefix)
    patterns = [f"/{prefix}/{path.lstrip('/')}"]
    if path.lstrip("/") == "*":
        patterns.insert(0, f"/{prefix}")
    return patterns


def tween_factory(handler: Callable[[Request], Response], registry: Registry) -> Callable[[Request], Response]:
    """The tween: preflights answered without calling ``handler``; other responses decorated last."""
    rules = _configuration(registry).rules()

    def cors_tween(request: Request) -> Response:
        environ = request.environ
        policy = rules.policy_for_request(environ)
        if policy is None:
            return handler(request)
        answer = preflight_answer(policy, environ)
        if answer is not None:
            return Response(status=answer.status, headerlist=list(answer.headers), app_iter=[answer.body])
        response = handler(request)
        _decorate_last(request, response, response_decorator(policy, environ))
        return response

    return cors_tween


def _decorate_last(request: Request, response: Response,
                   decorate: Callable[[List[Tuple[str, str]]], List[Tuple[str, str]]]) -> None:
    """Apply ``decorate`` to ``response`` after everything else Pyramid runs for the request.

    Response callbacks and ``NewResponse`` subscribers run after the tweens,
    and may set ``Vary`` or CORS headers; finished callbacks run after them,
    before the response is sent. This one re-queues itself while other
    finished callbacks are pending (a bounded number of times), so it is the last.
    """
    requeued = [0]

    def finished(request: Request) -> None:
        if request.finished_callbacks and requeued[0] < MAX_REQUEUE:
            requeued[0] += 1
            request.add_finished_callback(finished)
            return
        response.headerlist = decorate(list(response.headerlist))

    request.add_finished_callback(finished)
