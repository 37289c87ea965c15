"""Patterns that trust strangers: wildcards and regexes over public suffixes and shared hosts.

Anyone can register ``evil.co.uk`` or publish ``evil.github.io``: a pattern
admitting every site under such a suffix trusts strangers. Which suffixes are
shared comes from the Public Suffix List (ICANN and private sections), vendored
in the package; regexes are probed with a site under every suffix, and with
their own example origins, wildcards filled in.
"""

import contextlib
import re
import warnings

import pytest

from wsgicors import ConfigError, CORSConfigWarning, Policy
from wsgicors.psl import public_suffix_of, suffix_list

# a warning these tests trigger on purpose is asserted with pytest.warns; any other fails the test
pytestmark = pytest.mark.filterwarnings("error::wsgicors.errors.CORSConfigWarning")


def problems_of(**options):
    with pytest.raises(ConfigError) as caught:
        Policy(**options)
    return caught.value.problems


def config_warnings(**options):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Policy(**options)
    return [str(w.message) for w in caught if issubclass(w.category, CORSConfigWarning)]


@pytest.mark.parametrize("entry, code", [
    ("https://*.co.il", "wsgicors.E121"),
    ("https://*.com.pl", "wsgicors.E121"),
    ("https://*.com.es", "wsgicors.E121"),
    ("https://*.co.uk", "wsgicors.E121"),
    ("https://*.kawasaki.jp", "wsgicors.E121"),   # '*.kawasaki.jp' rule: every label under it is a suffix
    ("https://*.eu.org", "wsgicors.E129"),
    ("https://*.azureedge.net", "wsgicors.E129"),
    ("https://*.github.io", "wsgicors.E129"),
    ("https://*.s3.amazonaws.com", "wsgicors.E129"),
    ("https://*.glitch.me", "wsgicors.E129"),     # hand-listed shared host
])
@pytest.mark.parametrize("credentials", [True, False])
def test_wildcards_over_public_suffixes_are_refused(entry, code, credentials):
    problems = problems_of(origins=[entry], allow_credentials=credentials)
    assert [p.code for p in problems] == [code]
    assert problems[0].hint


@pytest.mark.parametrize("entry, admitted", [
    ("https://*.example.co.uk", "https://a.example.co.uk"),
    ("https://*.example.co.il", "https://a.example.co.il"),
    ("https://*.myname.github.io", "https://a.myname.github.io"),
    ("https://*.city.kawasaki.jp", "https://a.city.kawasaki.jp"),  # '!city.kawasaki.jp' exception
    ("https://*.example.test", "https://a.example.test"),          # unknown top-level label
])
def test_wildcards_over_registrable_domains_are_accepted(entry, admitted):
    assert Policy(origins=[entry], allow_credentials=True).origins.allows(admitted)


STRANGER_REGEXES = [
    (r"https://.*\.com", "wsgicors.E121"),
    (r"https://[a-z0-9-]+\.com", "wsgicors.E121"),
    (r"https://[a-z]{1,5}\.com", "wsgicors.E121"),
    (r"https://[a-z0-9.-]+\.github\.io", "wsgicors.E129"),
    (r"https://([a-z0-9-]+\.)+co\.uk", "wsgicors.E121"),
    (r"https://[a-z0-9-]+\.azureedge\.net", "wsgicors.E129"),
    (r"https://[a-z0-9-]+\.(com|org)\.pl", "wsgicors.E121"),
    (r"https://app.example.com", "wsgicors.E132"),        # unescaped dots: admits https://appxexample.com
    (r"https://.*good\.com", "wsgicors.E132"),            # admits https://evilgood.com
    (r"https?://(www|api).good.com", "wsgicors.E132"),
    (r"https://good\.com.*", "wsgicors.E132"),            # admits https://good.comx (and good.com.evil.net)
    (r"https://good\.[a-z]+", "wsgicors.E132"),           # admits https://good.evil
]


#: patterns whose dots or dot-crossing runs are also warned about (W101) when they are refused
WARNED_TOO = {r"https://app.example.com", r"https://.*good\.com", r"https?://(www|api).good.com",
              r"https://good\.com.*"}


def warns_w101_if(expected):
    return pytest.warns(CORSConfigWarning, match=r"wsgicors\.W101") if expected else contextlib.nullcontext()


@pytest.mark.parametrize("pattern, code", STRANGER_REGEXES, ids=[p for p, _ in STRANGER_REGEXES])
def test_regexes_admitting_strangers_are_refused_with_credentials(pattern, code):
    with warns_w101_if(pattern in WARNED_TOO):
        problems = problems_of(origins=[re.compile(pattern)], allow_credentials=True)
    assert [p.code for p in problems] == [code]
    assert problems[0].hint


@pytest.mark.parametrize("pattern, code", STRANGER_REGEXES, ids=[p for p, _ in STRANGER_REGEXES])
def test_regexes_admitting_strangers_warn_without_credentials(pattern, code):
    messages = config_warnings(origins=[re.compile(pattern)])
    assert any("wsgicors.W103" in m or "wsgicors.W101" in m for m in messages), messages


def test_the_regex_refusal_gives_the_string_forms_hint():
    regex = problems_of(origins=[re.compile(r"https://[a-z0-9.-]+\.github\.io")], allow_credentials=True)[0]
    string = problems_of(origins=["https://*.github.io"], allow_credentials=True)[0]
    assert regex.code == string.code and regex.hint == string.hint


def test_the_unescaped_dot_refusal_names_the_attackers_origin():
    with warns_w101_if(True):
        problem = problems_of(origins=[re.compile(r"https://app.example.com")], allow_credentials=True)[0]
    assert "'https://appxexample.com'" in problem.message and "\\." in problem.hint


@pytest.mark.parametrize("pattern", [
    r"https://app\.example\.com",
    r"https://([a-z0-9-]+\.)*example\.com",
    r"https://(.*\.)?good\.com",
    r"https://.*\.good\.com",
    r"https://[^/]+\.good\.com",
    r"https://(\w+\.)*good\.com",
    r"https://[a-z]+\.example\.co\.uk",
    r"https://pr-[0-9]+\.myapp\.vercel\.app",
    r"https://[a-z]+\.example\.(com|org)",
    r"http://localhost:[0-9]+",
    r"https://192\.168\.1\.[0-9]+",
    r"https://[.]good\.com",
    r"(?:https://good\.com)?",
])
def test_regexes_over_own_domains_are_accepted_with_credentials(pattern):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CORSConfigWarning)
        Policy(origins=[re.compile(pattern)], allow_credentials=True, allow_insecure_origins=True)


def test_every_suffix_of_interest_is_in_the_list():
    for host in ["com", "co.uk", "co.il", "com.pl", "com.es", "eu.org", "azureedge.net", "github.io"]:
        assert public_suffix_of(host) is not None and public_suffix_of(host)[0] == host, host
    psl = suffix_list()
    assert len(psl.icann) > 5000 and len(psl.private) > 2000 and psl.version


def test_a_regex_is_probed_under_every_public_suffix():
    """The probe is not a sample: a pattern naming any one suffix is caught."""
    psl = suffix_list()
    for suffix in sorted(psl.icann)[::400] + sorted(psl.private)[::200]:
        problems = problems_of(origins=[re.compile(r"https://[a-z0-9-]+\." + re.escape(suffix))],
                               allow_credentials=True)
        assert problems[0].code in ("wsgicors.E121", "wsgicors.E129"), suffix


def test_the_update_tool_refuses_a_file_that_is_not_the_list(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from wsgicors.psl import PUBLIC_SUFFIX_LIST

    before = PUBLIC_SUFFIX_LIST.read_bytes()
    bad = tmp_path / "list.dat"
    bad.write_text("com\nnet\n", encoding="utf-8")
    tool = Path(__file__).resolve().parents[2] / "tools" / "update_public_suffix_list.py"
    result = subprocess.run([sys.executable, str(tool), "--from", str(bad)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1 and "not a Public Suffix List" in result.stderr
    assert PUBLIC_SUFFIX_LIST.read_bytes() == before


def test_the_vendored_list_is_dated():
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}_UTC", suffix_list().version)
