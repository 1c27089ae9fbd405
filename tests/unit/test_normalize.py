from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_etl.normalize import normalize_inline, normalize_paragraphs, normalize_text


def test_spaces_invisible_and_control_characters():
    raw = "BlackBerry\u00a0says\u200b it\u2019s  \u201cfine\u201d\x07\t now"
    assert normalize_inline(raw) == "BlackBerry says it\u2019s \u201cfine\u201d now"


def test_curly_quotes_and_dashes_are_kept():
    text = "WATERLOO, Ont.\u2014It\u2019s \u201cunfettered\u201d \u2013 really"
    assert normalize_text(text) == text


def test_mojibake_is_repaired():
    assert normalize_text("The caf\u00c3\u00a9 opened") == "The caf\u00e9 opened"


def test_nfc():
    assert normalize_text("cafe\u0301") == "caf\u00e9"


def test_paragraphs_separated_by_one_blank_line():
    assert normalize_text("a\n\n\n\n  b \r\n\r\nc\n \nd") == "a\n\nb\n\nc\n\nd"
    assert normalize_paragraphs([" a ", "", "b\u00a0c"]) == "a\n\nb c"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_text_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_inline_is_idempotent_and_single_line(text):
    once = normalize_inline(text)
    assert "\n" not in once and "  " not in once
    assert normalize_inline(once) == once
