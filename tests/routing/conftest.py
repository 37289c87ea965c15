"""Routing tests: the policy applied is the policy of the view the framework actually runs."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
