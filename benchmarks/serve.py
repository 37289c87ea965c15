"""WSGI entry points for the socket-level run: ``gunicorn benchmarks.serve:bare`` (or ``:wrapped``, ...)."""

from wsgicors import CORSMiddleware

from .competitors import BASIC
from .wsgi import bare_app

bare = bare_app
control = bare_app  # served by a second gunicorn: the A/A control
wrapped = CORSMiddleware(bare_app, **BASIC.our_options())
