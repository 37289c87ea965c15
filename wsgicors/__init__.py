"""wsgicors: CORS for WSGI that is correct by construction and explains itself.

>>> from wsgicors import CORSMiddleware
>>> app = CORSMiddleware(app, origins=["https://app.example.com"])  # doctest: +SKIP
"""

from .errors import ConfigError, Problem
from .middleware import CORSMiddleware, Rules
from .policy import DEFAULT_METHODS, Policy
from .settings import policy_from_settings

__all__ = [
    "CORSMiddleware", "Policy", "ConfigError", "Problem", "Rules", "DEFAULT_METHODS",
    "policy_from_settings", "__version__",
]

__version__ = "1.0.0.dev0"
