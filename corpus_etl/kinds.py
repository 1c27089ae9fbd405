"""Why a record is kind 'related' rather than an article: the one registry of the reasons (``RawRecord.kind_reason``,
the warehouse's ``articles.kind_reason``), each with what it means. An article has no reason (NULL); a 'related'
record always has one."""

from __future__ import annotations

RELATED_SECTION = "related_section"
UNTITLED_BESIDE_ARTICLE = "untitled_beside_article"
RECORD_MODEL_JUNK = "record_model_junk"

KIND_REASONS: dict[str, str] = {
    RELATED_SECTION: "it lies under a related-stories heading of a page ('Related articles', 'More from ...')",
    UNTITLED_BESIDE_ARTICLE: (
        "an untitled block of a web page whose article has its headline and a date, a byline or tags (a list of "
        "teasers, a promo)"
    ),
    RECORD_MODEL_JUNK: "the record model read it as page chrome, comments or teasers, not an article",
}
