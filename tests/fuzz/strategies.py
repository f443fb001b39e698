"""Hypothesis strategies for hostile input: huge ids, odd Unicode, control characters, long text, bad dates."""
from __future__ import annotations

import json

from hypothesis import strategies as st

HUGE_NUMBERS = ["2147483648", "9223372036854775808", "9999999999999999999", "9" * 400, "-1", "0", "-2147483649",
                "1e309", "NaN", "inf", "0x10", "1_000", " 7 ", "٣", "１２"]
ODD_TEXT = ["\x00", "a\x00b", "\x01\x02\x1f", "\x7f", "\u0085", "\u2028\u2029", "\ufeff", "\ufffe\uffff", "\U0010ffff",
            "😀" * 50, "e\u0301" * 30, "\u202e evil", "%00", "%s%n", "{{ 7*7 }}", "<script>alert(1)</script>",
            "' OR 1=1 --", "../../../../etc/passwd", "\\", "NULL", "", " ", "\t\n\r", "ǅ" * 3, "ß" * 3]
BAD_DATES = ["0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "-0001-01-01", "2022-02-30", "2022-13-01",
             "99999999-01-01", "2022-12-12T99:99", "0001-01-01T00:00", "9999-12-31T23:59", "2022-12-12T24:00",
             "1970-01-01T00:00", "2038-01-19T03:14", "12/12/2022"]
BAD_TIMEZONES = ["UTC", "Europe/Zurich", "Europe/Zürich", "../../etc/passwd", "/etc/localtime", "Etc/GMT+14",
                 "America/Argentina/ComodRivadavia", "x" * 300, ".", "localtime", "posixrules", "Factory"]
LONG_SIZES = [61, 121, 201, 255, 256, 501, 1001, 4001, 20_001, 100_001]


def long_text(longest: int = LONG_SIZES[-1]) -> st.SearchStrategy[str]:
    sizes = [size for size in LONG_SIZES if size <= longest]
    return st.builds(lambda size, ch: ch * size, st.sampled_from(sizes), st.sampled_from(["x", "x", "é", "😀", "\x00"]))


def nasty_text(longest: int = LONG_SIZES[-1]) -> st.SearchStrategy[str]:
    """One hostile string: numbers, Unicode, control characters, dates, time zones, long text, random text."""
    return st.one_of(
        st.sampled_from(HUGE_NUMBERS), st.sampled_from(ODD_TEXT), st.sampled_from(BAD_DATES),
        st.sampled_from(BAD_TIMEZONES), long_text(longest),
        st.integers(min_value=-(2 ** 70), max_value=2 ** 70).map(str),
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    )


def path_value(known: list[str]) -> st.SearchStrategy[str]:
    """A value for a URL part: usually a real one (so the route's own code runs), else hostile."""
    hostile = st.one_of(st.sampled_from(HUGE_NUMBERS), st.sampled_from(ODD_TEXT[:12]), st.text(min_size=1, max_size=20),
                        st.sampled_from(["%ED%A0%80", "%FF%FE", "%C0%AF", "a/b", "..", "%2e%2e"]))
    if not known:
        return hostile
    return st.one_of(st.sampled_from(known), st.sampled_from(known), hostile)


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


JSON_BODIES = [deep_json(100_000), '{"a":' * 5000 + "1" + "}" * 5000, "{", "\x00", '"\\ud800"', '{"given_name": "\\ud800"}',
               '{"given_name": "a\\u0000b", "family_name": "x", "email": "a@example.org"}', "1e999999", "NaN",
               json.dumps({"given_name": "x" * 2_000_000}), '{"email": 12345678901234567890123}', "[]", "null", "true"]
