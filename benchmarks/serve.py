"""WSGI entry points for the socket-level run: ``gunicorn benchmarks.serve:bare`` / ``:wrapped``."""

from wsgicors import CORSMiddleware

from .competitors import BASIC
from .wsgi import bare_app

bare = bare_app
wrapped = CORSMiddleware(bare_app, **BASIC.our_options())
