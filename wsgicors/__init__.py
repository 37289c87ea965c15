"""wsgicors: CORS for WSGI that is correct by construction and explains itself.

>>> from wsgicors import CORSMiddleware
>>> app = CORSMiddleware(app, origins=["https://app.example.com"])  # doctest: +SKIP
"""

from .errors import ConfigError, CORSConfigWarning, Problem
from .middleware import CORSMiddleware, Rules
from .policy import DEFAULT_METHODS, Policy
from .settings import policy_from_settings

__all__ = [
    "CORSMiddleware", "Policy", "ConfigError", "CORSConfigWarning", "Problem", "Rules", "DEFAULT_METHODS",
    "policy_from_settings", "wrap", "__version__",
]

__version__ = "1.0.0.dev0"


def __getattr__(name: str):  # PEP 562: keep ``import wsgicors`` light
    # ``from wsgicors.check import check`` is the one public way to reach check;
    # ``wsgicors.check_cors`` and calling the module (``wsgicors.check(...)``) are
    # deprecated spellings kept for code written against earlier releases.
    if name == "wrap":  # loads ast and inspect to read app factories: not on the request path
        from .wrapper import wrap

        return wrap
    if name in ("check", "check_cors"):
        import importlib

        module = importlib.import_module(".check", __name__)
        if name == "check_cors":
            import warnings

            warnings.warn("wsgicors.check_cors is deprecated; use 'from wsgicors.check import check'",
                          DeprecationWarning, stacklevel=2)
            return module.check
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
