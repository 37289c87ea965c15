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
    # ``wsgicors.check`` is the submodule, and the module is callable, so both
    # ``wsgicors.check(url, origin)`` and ``from wsgicors.check import check`` work;
    # ``wsgicors.check_cors`` is the same function under an unambiguous name.
    if name == "wrap":  # loads ast and inspect to read app factories: not on the request path
        from .wrapper import wrap

        return wrap
    if name in ("check", "check_cors"):
        import importlib

        module = importlib.import_module(".check", __name__)
        return module if name == "check" else module.check
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
