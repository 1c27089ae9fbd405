"""Short posts on web pages (``split.passes.short_posts.restore_short_posts``): a blog post of three sentences
around a video reads to the line model like a caption; its article must get those sentences back rather than
be quarantined as a headline over a byline, and a reader's comment or a share line must stay removed."""

from __future__ import annotations

from corpus_etl.rules import load_rules
from corpus_etl.split import PASSES, SplitOptions, SplitState
from corpus_etl.split.lines import words
from corpus_etl.split.passes.short_posts import restore_short_posts

RULES = load_rules()

POST = [
    "Courtesy of a robotics club in Hamburg, who are building a whole band to go with this drummer, a few minutes "
    "of quiet rock and roll from the fair:",
    "Also note the tiny, tiny camera drone.",
    "Thanks @somefriend for the tip!",
]
SHARE = "Be Sociable, Share!"
FILED = (
    "This entry was posted on Saturday, March 3rd, 2012 at 12:23 am and is filed under Neat Stuff, Videos. "
    "You can follow any responses to this entry through the RSS 2.0 feed."
)
PAGE = (
    "\n\n".join(
        [
            "A Robot Plays the Drums",
            "March 3rd, 2012 by KB",
            *POST,
            SHARE,
            FILED,
            "Leave a Reply",
            "Name (required)",
            "* Archives\n+ March 2012\n+ February 2012\n+ January 2012",
        ]
    )
    + "\n"
)


def _state_before(opts: SplitOptions, judged: dict[str, str]) -> tuple[SplitState, int]:
    """The split of ``PAGE`` up to the short posts' pass, with the lines of ``judged`` removed for its rule as
    the line model removes a line (out of the article's body), and the share line and the filing note after the
    post removed as low content and by the line model. The state and the article's index."""
    judged = {SHARE: "low_content_edge", FILED: "line_model_other", **judged}
    st = SplitState(PAGE, RULES, opts)
    for p in PASSES:
        if p.name == "restore_short_posts":
            break
        if p.when(st):
            p.run(st)
    idx = next(i for i, r in enumerate(st.records) if r.kind == "article" and "March 3rd, 2012 by KB" in str(r))
    starts = {PAGE.index(line): rule for line, rule in judged.items()}
    for piece in st.pieces:
        if piece.start in starts:
            piece.role, piece.rule = "removed", starts[piece.start]
    rec = st.records[idx]
    keep = [k for k, (a, _) in enumerate(rec.paragraph_spans) if a not in starts]
    rec.paragraphs = [rec.paragraphs[k] for k in keep]
    rec.paragraph_spans = [rec.paragraph_spans[k] for k in keep]
    rec.body_words = sum(words(t) for t in rec.paragraphs)
    return st, idx


def test_a_short_post_the_line_model_removed_gets_its_sentences_back_in_text_order() -> None:
    judged = {POST[0]: "line_model_other", POST[1]: "low_content_edge", POST[2]: "low_content_edge"}
    st, idx = _state_before(SplitOptions(), judged)
    assert st.records[idx].body_words < 20  # a short body (untitled, it would be quarantined)
    restore_short_posts(st)
    rec = st.records[idx]
    assert rec.paragraphs[-3:] == POST
    assert rec.body_words >= 20
    assert [a for a, _ in rec.paragraph_spans] == sorted(a for a, _ in rec.paragraph_spans)
    restored = {PAGE.index(line) for line in POST}
    assert all(p.role == "body" and p.record == idx for p in st.pieces if p.start in restored)
    assert SHARE not in rec.paragraphs and FILED not in rec.paragraphs  # the share line ends the post
    share = next(p for p in st.pieces if p.start == PAGE.index(SHARE))
    assert share.role == "removed" and share.rule == "low_content_edge"


def test_a_readers_comment_stays_removed_and_ends_the_post() -> None:
    judged = {POST[0]: "line_model_comment", POST[1]: "low_content_edge", POST[2]: "low_content_edge"}
    st, idx = _state_before(SplitOptions(), judged)
    before = list(st.records[idx].paragraphs)
    restore_short_posts(st)
    assert st.records[idx].paragraphs == before


def test_too_few_words_even_with_the_sentences_changes_nothing_and_zero_turns_it_off() -> None:
    judged = {POST[1]: "low_content_edge", POST[2]: "low_content_edge"}  # the long first line is kept
    st, idx = _state_before(SplitOptions(), {POST[0]: "image_alt", **judged})  # a rule's removal stops it
    before = list(st.records[idx].paragraphs)
    restore_short_posts(st)
    assert st.records[idx].paragraphs == before
    judged = {POST[0]: "line_model_other", **judged}
    st, idx = _state_before(SplitOptions(short_post_min_words=0), judged)
    before = list(st.records[idx].paragraphs)
    restore_short_posts(st)
    assert st.records[idx].paragraphs == before
