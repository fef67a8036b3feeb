"""The schema's two format functions answer exactly as the grammars jsonschema's checkers use.

``is_uri`` takes a shortcut for plain http(s) URIs and ``is_date_time`` remembers its answers;
neither may change an answer of rfc3986-validator / rfc3339-validator, on any string.
"""

from __future__ import annotations

import string

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rfc3339_validator import validate_rfc3339
from rfc3986_validator import validate_rfc3986

from newscrawl.schema import _PLAIN_URI, is_date_time, is_uri

# Every character the shortcut allows, the ones it refuses that the grammar takes (userinfo,
# IPv6 brackets, other schemes), and some neither takes (space, controls, non-ASCII, a second "#").
URI_ALPHABET = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/?#%[]| \"<>\\^`{}\x00\x1c\n\t中é"


def grammar_says_uri(value: str) -> bool:
    return bool(validate_rfc3986(value, rule="URI"))


@settings(max_examples=1500, deadline=None)
@given(st.from_regex(_PLAIN_URI, fullmatch=True))
@example("https://www.rfi.fr/cn/%E4%B8%AD%E5%9B%BD/20240101-a")
@example("http://a")
@example("http://a:")
@example("https://a#")
@example("https://a?#?/")
@example("https://a/%4")
@example("https://a/%zz")
@example("https://a/b#c#d")
def test_what_the_shortcut_shape_takes_the_grammar_judges_alike(value: str) -> None:
    assert is_uri(value) == grammar_says_uri(value), value


@settings(max_examples=1500, deadline=None)
@given(
    st.sampled_from(
        ["https://www.rfi.fr/cn/", "http://", "https://", "ftp://h/", "https://u@h/", "https://[::1]/", ""]
    ),
    st.text(alphabet=URI_ALPHABET, max_size=40),
)
def test_is_uri_answers_as_the_rfc3986_grammar_on_any_string(prefix: str, rest: str) -> None:
    value = prefix + rest
    assert is_uri(value) == grammar_says_uri(value), value


def test_is_uri_takes_the_grammar_s_uris_the_shortcut_does_not_cover_and_refuses_the_rest() -> None:
    assert is_uri("https://user@www.rfi.fr/cn/a")  # userinfo: the grammar's answer
    assert is_uri("https://[::1]:8080/a")
    assert is_uri("urn:isbn:0451450523")
    assert not is_uri("https://www.rfi.fr/cn/中国")  # an IRI is not a URI
    assert not is_uri("https://www.rfi.fr/cn/a b")
    assert is_uri("https://www.rfi.fr/cn/%E4%B8")  # whole escapes (of half a character): a URI
    assert not is_uri("https://www.rfi.fr/cn/%E4%B")  # half an escape: not one
    assert is_uri(3)  # not a string: another keyword's business


@settings(max_examples=800, deadline=None)
@given(
    st.one_of(
        st.from_regex(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", fullmatch=True),
        st.text(alphabet=string.digits + "-:TtZz+. \n", max_size=30),
    )
)
@example("2024-02-29T00:00:00Z")
@example("2023-02-29T00:00:00Z")
@example("0000-01-01T00:00:00Z")
@example("2024-01-01t08:00:00z")
def test_is_date_time_answers_as_rfc3339_validator_every_time(value: str) -> None:
    expected = bool(validate_rfc3339(value.upper()))
    assert is_date_time(value) == expected, value
    assert is_date_time(value) == expected, value  # the remembered answer too
