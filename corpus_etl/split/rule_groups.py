"""Groups of the removal rules: which removed lines mark a web page, which are menus, repeats, weak text, link-like
chrome; and the groups of ``SplitState.rule_view`` (what the rules made of a piece, the line model's features)."""

from __future__ import annotations

# Removed lines of menus and link lists (shared by the two sets below).
MENU_CHROME = frozenset(
    [
        "skip_link",
        "link_list",
        "svg_title",
        "share_row",
        "navigation",
        "navigation_list",
        "read_more_link",
        "learned_repeat",
        "collection_repeat",
        "relative_time",
        "video_link",
    ]
)
# Rules whose lines mark a text as a web page (see SplitOptions.page_min_chrome_lines).
PAGE_CHROME = MENU_CHROME | {
    "copyright",
    "legal_notice",
    "contact_line",
    "advertisement",
    "comments_heading",
    "read_more",
    "staff_footer",
    "affiliate_notice",
    "cookie_notice",
    "related_heading",
    "repeated_line",
}
# Lines removed for repeating (in the text, or across the folder's files): alone no evidence of a web page.
REPEATS = frozenset(["repeated_line", "learned_repeat", "collection_repeat"])
# The share of a page's chrome density (``SplitOptions.page_min_chrome_per_1000_words``) that lines a rule reads as
# chrome (not repeats) must reach on their own for a text to be a web page (``passes.records._is_page``,
# ``SplitState.web_chrome``). The sparsest dev page read as a page has 0.34 such lines a 1,000 words (the median 50);
# a 50 MB bench file of 1,857 wire stories joined by separator lines, its folder's repeats learned, 0.007.
RULE_CHROME_SHARE = 0.1
# Removed lines of text the rules found weak (rule_view's group 'removed_low_content').
LOW_CONTENT = frozenset(
    [
        "low_content_edge",
        "low_content_run",
        "off_main_block",
        "teaser_list",
        "inner_chrome",
        "navigation_block",
        "recall_fallback",
        "pre_title_chrome",
    ]
)


def soft_removal(rule: str) -> bool:
    """Whether a line removed for ``rule`` was removed by a judgement of its content (weak text, the line
    model's label, a rejected title), not for what a rule recognises it to be."""
    return rule in LOW_CONTENT or rule.startswith("line_model_") or rule in ("title_rejected", "low_content_block")


# Groups of SplitState.rule_view: what the rules made of a piece of a web page (the line model's features).
RULE_VIEW_GROUPS = (
    "main_body",
    "main_title",
    "main_meta",
    "article_body",
    "related",
    "other_kept",
    "removed_menu",
    "removed_low_content",
    "removed_comment",
    "removed_other",
)
VIEW_INDEX = {g: k for k, g in enumerate(RULE_VIEW_GROUPS)}
# Removed lines that are link-like web chrome: the paragraph classifier reads them as bad paragraphs
# (short repeated lines too, see paragraph_classes.is_link_chrome).
LINK_CHROME = MENU_CHROME | {"related_link", "date_line"}
