"""Every byte 0x00-0xFF, in header names and values, treated as the Fetch standard defines it.

The expectations are written out from the standard's text here (not taken
from wsgicors.fetch), so a definition that drifts fails. Python's own
whitespace and case rules differ from the standard's on VT (0x0B), FF (0x0C),
0x1C-0x1F, 0x85 and 0xA0, and ``str.lower()`` maps U+212A KELVIN SIGN to ``k``.
"""

import pytest

from wsgicors import Policy, fetch
from wsgicors.engine import answer_preflight, merge_vary, parse_header_names

BYTES = [chr(byte) for byte in range(256)]
# https://fetch.spec.whatwg.org/#http-whitespace-byte and #http-tab-or-space-byte
HTTP_WHITESPACE = {"\t", "\n", "\r", " "}
TAB_OR_SPACE = {"\t", " "}
PYTHON_ONLY_WHITESPACE = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0"]
# RFC 9110 tchar
TOKEN_CHARS = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte
UNSAFE_BYTES = {chr(b) for b in range(0x20) if b != 0x09} | set('"():<>?@[\\]{}\x7f')
LANGUAGE_CHARS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;=")
ORIGIN = "https://app.example"


def ids(char):
    return f"0x{ord(char):02x}"


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_token_code_points_are_exactly_tchar(char):
    assert fetch.is_token(char) is (char in TOKEN_CHARS)


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_http_whitespace_is_tab_lf_cr_space_only(char):
    assert fetch.is_http_whitespace(char) is (char in HTTP_WHITESPACE)
    assert fetch.normalize_header_value(char + "v" + char) == ("v" if char in HTTP_WHITESPACE else char + "v" + char)


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_ascii_lowercase_changes_only_a_to_z(char):
    expected = chr(ord(char) + 32) if "A" <= char <= "Z" else char
    assert fetch.ascii_lower(char) == expected
    assert fetch.ascii_lower("X" + char) == "x" + expected


def test_kelvin_sign_is_not_ascii_k():
    assert fetch.ascii_lower("\u212aeep-alive") == "\u212aeep-alive"
    assert not fetch.is_forbidden_request_header("\u212aeep-Alive")
    assert fetch.ascii_upper("\u0131") == "\u0131"  # dotless i: str.upper() makes it 'I'
    assert fetch.normalize_method("opt\u0131ons") == "opt\u0131ons"


# -- safelisting (https://fetch.spec.whatwg.org/#cors-safelisted-request-header) --

@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_accept_value_is_safelisted_unless_it_holds_an_unsafe_byte(char):
    assert fetch.is_cors_safelisted_request_header("Accept", "text/html" + char) is (char not in UNSAFE_BYTES)


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_accept_language_value_is_safelisted_only_with_language_bytes(char):
    assert fetch.is_cors_safelisted_request_header("Accept-Language", "en" + char) is (char in LANGUAGE_CHARS)
    assert fetch.is_cors_safelisted_request_header("content-language", char + "en") is (char in LANGUAGE_CHARS)


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_content_type_after_the_subtype(char):
    # The MIME type parser strips HTTP whitespace (but LF and CR are unsafe bytes)
    # and ends the subtype at ';'; any other byte changes the essence or is unsafe.
    expected = char in ("\t", " ", ";")
    assert fetch.is_cors_safelisted_request_header("Content-Type", "text/plain" + char) is expected


@pytest.mark.parametrize("char", PYTHON_ONLY_WHITESPACE, ids=ids)
def test_content_type_with_python_only_whitespace_needs_a_preflight(char):
    assert fetch.needs_preflight("POST", [("Content-Type", "text/plain" + char)])


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_range_value(char):
    expected = char in "0123456789"
    assert fetch.is_cors_safelisted_request_header("Range", "bytes=0-" + char) is expected


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_safelisted_header_name_is_matched_byte_case_insensitively(char):
    name = char + "ccept"
    assert fetch.is_cors_safelisted_request_header(name, "text/html") is (char in "aA")


def test_safelisted_values_over_1024_bytes_in_total_are_all_unsafe():
    headers = [("Accept", "a" * 128)] * 8 + [("Accept-Language", "en")]
    assert fetch.cors_unsafe_request_header_names(headers) == ["accept", "accept-language"]
    assert fetch.cors_unsafe_request_header_names(headers[1:]) == []


# -- forbidden names (https://fetch.spec.whatwg.org/#forbidden-request-header) --

@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_forbidden_request_header_name_is_matched_byte_case_insensitively(char):
    assert fetch.is_forbidden_request_header(char + "ost") is (char in "hH")
    assert fetch.is_forbidden_request_header("Sec" + char + "Fetch") is (char == "-")


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_method_override_value_is_split_on_commas_and_tab_or_space(char):
    forbidden = fetch.is_forbidden_request_header("X-HTTP-Method-Override", "GET," + char + "trace")
    assert forbidden is (char in TAB_OR_SPACE or char == ",")


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_forbidden_method_is_matched_byte_case_insensitively(char):
    assert fetch.is_forbidden_method(char + "RACE") is (char in "tT")
    assert fetch.normalize_method(char + "et") == ("GET" if char in "gG" else char + "et")


# -- list parsing (https://fetch.spec.whatwg.org/#header-value-get-decode-and-split) --

@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_request_headers_list_around_a_name(char):
    if char in TAB_OR_SPACE or char == ",":
        expected = ("x-a",)
    elif char in TOKEN_CHARS:
        expected = (fetch.ascii_lower(char + "X-A" + char),)
    else:
        expected = None
    assert parse_header_names(char + "X-A" + char) == expected


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_request_headers_list_inside_a_name(char):
    if char == ",":
        expected = ("x", "a")
    elif char in TOKEN_CHARS:
        expected = ("x" + fetch.ascii_lower(char) + "a",)
    else:
        expected = None
    assert parse_header_names("x" + char + "a") == expected


def test_commas_inside_a_quoted_string_do_not_split():
    assert fetch.split_list('a, "b, c", d') == ["a", '"b, c"', "d"]
    assert fetch.split_list('"a\\", b"') == ['"a\\", b"']
    assert fetch.split_list('"unterminated, x') == ['"unterminated, x']
    assert fetch.split_list(",a,,") == ["", "a", "", ""]


def test_list_parsing_refuses_a_value_over_its_limit_unread():
    assert fetch.split_list("a" * 11, limit=10) is None
    assert fetch.split_list("a" * 10, limit=10) == ["a" * 10]


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_vary_merge_splits_only_on_commas_and_strips_only_tab_or_space(char):
    headers = [("Vary", "Accept" + char + ", accept")]
    merge_vary(headers, "Origin")
    if char in TAB_OR_SPACE or char == ",":
        assert headers == [("Vary", "Accept, Origin")]
    else:
        kept = "Accept" + char
        same = fetch.ascii_lower(kept) == "accept"
        assert headers == [("Vary", "Accept" + char + ("" if same else ", accept") + ", Origin")]


# -- value normalisation and origin comparison (the engine) ----------------

@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_private_network_request_value_is_true_after_http_whitespace_only(char):
    policy = Policy(origins=[ORIGIN], allow_private_network=False)
    answer = answer_preflight(policy, ORIGIN, "GET", None, "true" + char)
    # Asking for private network access (refused here) only when the value is "true".
    assert answer.allowed is not (char in HTTP_WHITESPACE)


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_origin_is_compared_byte_for_byte(char):
    policy = Policy(origins=[ORIGIN])
    assert policy.matcher.allows(ORIGIN[:-1] + char) is (char == "e")
    assert policy.matcher.allows(ORIGIN + char) is False
    assert policy.matcher.allows(char + ORIGIN) is False


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_wildcard_origin_is_compared_byte_for_byte(char):
    policy = Policy(origins=["https://*.app.example"])
    allowed_label = char in "abcdefghijklmnopqrstuvwxyz0123456789_"
    assert policy.matcher.allows("https://" + char + ".app.example") is allowed_label
    assert policy.matcher.allows("https://a.app.exampl" + char) is (char == "e")


# Token characters that appear in regexes and globs, never in real header names: refused (E313).
PATTERN_CHARS = set("^$|*")


@pytest.mark.parametrize("char", BYTES, ids=ids)
def test_configured_header_name_byte(char):
    if char in PATTERN_CHARS:
        with pytest.raises(Exception, match="E313"):
            Policy(origins=[ORIGIN], allow_headers=["x" + char])
    elif char in TOKEN_CHARS:
        assert Policy(origins=[ORIGIN], allow_headers=["x" + char]).allow_headers == ("x" + fetch.ascii_lower(char),)
    elif char in HTTP_WHITESPACE or char in PYTHON_ONLY_WHITESPACE or char == ",":
        pass  # a separator in the text form; the list form refuses it below
    else:
        with pytest.raises(Exception):
            Policy(origins=[ORIGIN], allow_headers=["x" + char])
    if char not in TOKEN_CHARS:
        with pytest.raises(Exception):
            Policy(origins=[ORIGIN], allow_headers=["x" + char + "y"])
