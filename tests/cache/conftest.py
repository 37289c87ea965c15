"""Shared-cache tests: real Varnish in front of real gunicorn."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
