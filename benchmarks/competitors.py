"""Every competitor, built the same way from one named configuration.

A configuration is a plain description (allowed origins, patterns,
credentials, exposed headers); each builder turns it into that library's
idiomatic setup. A builder raises :class:`Unavailable` when its library (or
our adapter) is not installed or not written yet; the table then says "n/a".
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Tuple

from .wsgi import ALLOWED_ORIGIN, BODY, EXPOSED, PATH, FloorMiddleware, WSGIApp, bare_app

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
MAX_AGE = 600


class Unavailable(Exception):
    """This competitor cannot run here; the message says why."""


@dataclass(frozen=True)
class Config:
    name: str
    exact: Tuple[str, ...] = (ALLOWED_ORIGIN,)
    #: wildcard patterns as (scheme, registrable suffix): scheme://*.suffix
    wildcards: Tuple[Tuple[str, str], ...] = ()
    credentials: bool = False
    expose: Tuple[str, ...] = ()

    # -- the same configuration in each library's vocabulary ----------------

    def our_options(self) -> Dict[str, Any]:
        origins: List[str] = list(self.exact) + [f"{s}://*.{h}" for s, h in self.wildcards]
        options: Dict[str, Any] = {"origins": origins, "max_age": MAX_AGE}
        if self.credentials:
            options["allow_credentials"] = True
        if self.expose:
            options["expose_headers"] = list(self.expose)
        return options

    def flask_cors_options(self) -> Dict[str, Any]:
        # flask-cors treats strings with '*' as regexes matched with re.match and
        # recompiles them per request; give it compiled, anchored regexes instead.
        origins: List[Any] = list(self.exact) + [
            re.compile(rf"{s}://(?:[a-z0-9-]+\.)+{re.escape(h)}\Z") for s, h in self.wildcards]
        options: Dict[str, Any] = {"origins": origins, "methods": list(METHODS), "max_age": MAX_AGE}
        if self.credentials:
            options["supports_credentials"] = True
        if self.expose:
            options["expose_headers"] = list(self.expose)
        return options

    def old_options(self) -> Dict[str, str]:
        # wsgicors 0.7: space-separated fnmatch patterns, string options
        origins = list(self.exact) + [f"{s}://*.{h}" for s, h in self.wildcards]
        options = {"origin": " ".join(origins), "methods": ", ".join(METHODS), "headers": "*",
                   "maxage": str(MAX_AGE)}
        if self.credentials:
            options["credentials"] = "true"
        if self.expose:
            options["expose_headers"] = ", ".join(self.expose)
        return options

    def pyramid_settings(self) -> Dict[str, str]:
        options = self.our_options()
        settings = {"cors.origins": "\n".join(options["origins"]), "cors.max_age": str(MAX_AGE)}
        if self.credentials:
            settings["cors.allow_credentials"] = "true"
        if self.expose:
            settings["cors.expose_headers"] = " ".join(self.expose)
        return settings


BASIC = Config("basic")
CREDENTIALS = Config("credentials", credentials=True, expose=EXPOSED)


def exact_origins(count: int) -> Tuple[str, ...]:
    """``count`` exact origins; the allowed one sits in the middle of the list."""
    others = [f"https://site{i}.example.org" for i in range(count - 1)]
    others.insert(len(others) // 2, ALLOWED_ORIGIN)
    return tuple(others)


def wildcard_patterns(count: int) -> Tuple[Tuple[str, str], ...]:
    return tuple(("https", f"tenant{i}.example.net") for i in range(count))


#: an origin admitted by a wildcard pattern of the large configuration
WILDCARD_HIT = "https://eu.shop.tenant777.example.net"


# -- builders -----------------------------------------------------------------
# Each returns a fresh WSGI app for a Config.

def bare(config: Config) -> WSGIApp:
    return bare_app


def floor(config: Config) -> WSGIApp:
    if config.wildcards:
        raise Unavailable("the hand-written floor knows exact origins only")
    return FloorMiddleware(bare_app, config.exact, credentials=config.credentials, expose=config.expose)


def ours(config: Config) -> WSGIApp:
    from wsgicors import CORSMiddleware
    return CORSMiddleware(bare_app, **config.our_options())


def old_wsgicors(module: Optional[ModuleType], reason: str) -> Callable[[Config], WSGIApp]:
    def build(config: Config) -> WSGIApp:
        if module is None:
            raise Unavailable(f"wsgicors 0.7 not loaded: {reason}")
        return module.CORS(bare_app, **config.old_options())
    return build


def _need(module: str, name: Optional[str] = None) -> Any:
    """``module`` (or ``module.name``), or Unavailable saying what is missing."""
    try:
        found = importlib.import_module(module)
        return found if name is None else getattr(found, name)
    except (ImportError, AttributeError) as error:
        raise Unavailable(f"{module}{'.' + name if name else ''} not available ({error})") from None


# Flask ------------------------------------------------------------------------

def _flask() -> Any:
    flask = _need("flask")
    app = flask.Flask("benchmarks")

    @app.route(PATH, methods=["GET", "POST", "PUT"])
    def data() -> Any:
        return BODY, 200, {"Content-Type": "application/json"}

    return app


def flask_bare(config: Config) -> WSGIApp:
    return _flask()


def flask_cors(config: Config) -> WSGIApp:
    app = _flask()
    _need("flask_cors", "CORS")(app, **config.flask_cors_options())
    return app


def flask_ours_middleware(config: Config) -> WSGIApp:
    from wsgicors import CORSMiddleware
    app = _flask()
    app.wsgi_app = CORSMiddleware(app.wsgi_app, **config.our_options())
    return app


def flask_adapter(config: Config) -> WSGIApp:
    app = _flask()
    _need("flask_wsgicors", "CORS")(app, **config.our_options())
    return app


# Bottle -----------------------------------------------------------------------

def _bottle() -> Any:
    bottle = _need("bottle")
    app = bottle.Bottle()

    @app.route(PATH, method=["GET", "POST", "PUT"])
    def data() -> Any:
        bottle.response.content_type = "application/json"
        return BODY

    return app


def bottle_bare(config: Config) -> WSGIApp:
    return _bottle()


def bottle_plugin(config: Config) -> WSGIApp:
    app = _bottle()
    app.install(_need("bottle_wsgicors", "CORSPlugin")(**config.our_options()))
    return app


# Pyramid ----------------------------------------------------------------------

def _pyramid(settings: Dict[str, str], include: bool) -> WSGIApp:
    Configurator = _need("pyramid.config", "Configurator")
    Response = _need("pyramid.response", "Response")

    def data(request: Any) -> Any:
        return Response(body=BODY, content_type="application/json")

    if include:
        _need("pyramid_wsgicors", "includeme")
    with Configurator(settings=settings) as config:
        config.add_route("data", PATH)
        config.add_view(data, route_name="data")
        if include:
            config.include("pyramid_wsgicors")
        return config.make_wsgi_app()


def pyramid_bare(config: Config) -> WSGIApp:
    return _pyramid({}, include=False)


def pyramid_tween(config: Config) -> WSGIApp:
    return _pyramid(config.pyramid_settings(), include=True)


@dataclass
class Competitor:
    key: str
    label: str
    build: Callable[[Config], WSGIApp]
    _built: Dict[str, Any] = field(default_factory=dict)

    def app(self, config: Config) -> WSGIApp:
        """The competitor's app for ``config`` (built once); raises Unavailable."""
        if config.name not in self._built:
            try:
                self._built[config.name] = self.build(config)
            except Unavailable as error:
                self._built[config.name] = error
            except Exception as error:  # an adapter mid-construction must not crash the suite
                self._built[config.name] = Unavailable(f"{type(error).__name__}: {error}")
        built = self._built[config.name]
        if isinstance(built, Unavailable):
            raise built
        return built
