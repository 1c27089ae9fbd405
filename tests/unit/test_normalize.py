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


_ODD_CHARS = (
    "\t\v\f\r\n\x00\x07\x1f\x7f\x85\x9f\u00a0\u00ad\u1680\u180e\u2000\u2009\u200b\u200f"
    "\u2028\u2029\u202a\u202f\u205f\u2060\u2064\u3000\ufeff"
)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from(list(_ODD_CHARS + " e\u0301"))), max_size=40))
def test_normalize_inline_fast_path_is_the_full_normalisation(text):
    # lines that are NFC with no space, invisible or control character take a shortcut: same answer
    from corpus_etl.normalize import _normalize_inline_full

    assert normalize_inline(text) == _normalize_inline_full(text)
    assert normalize_inline(text + "  x ") == _normalize_inline_full(text + "  x ")
    assert normalize_inline(text + "\n") == _normalize_inline_full(text + "\n")  # a physical line


def test_every_character_the_full_path_changes_is_off_the_fast_path():
    from corpus_etl.normalize import _normalize_inline_full

    changed = [chr(c) for c in range(0x3100) if _normalize_inline_full(f"a{chr(c)}b") != f"a{chr(c)}b"]
    assert changed, "the full path changes some characters"
    assert all(normalize_inline(f"a{c}b") == _normalize_inline_full(f"a{c}b") for c in changed)
