"""The short posts' pass (``restore_short_posts``): on a web page, a short post whose few sentences the
classifiers read as chrome gets them back."""

from __future__ import annotations

from ..lines import is_prose, words
from ..options import Piece
from ..rule_groups import soft_removal
from ..state import SplitState
from .briefs import paragraph_of

# Fewest words of a restored line (a share line "Be Sociable, Share!" has three).
_MIN_LINE_WORDS = 4
# Fewest words of a line that introduces embedded media ("... a few minutes of rock and roll at the festival:").
_MIN_COLON_WORDS = 8


def restore_short_posts(st: SplitState) -> None:
    """On a web page, an article whose body keeps fewer than ``SplitOptions.short_post_min_words`` words gets
    back the sentences right below it that only a content judgement removed: a blog post of three sentences
    around a video reads to the line model like a caption or a teaser, and the record left (a headline over a
    byline) would be quarantined as too short, though it is an article.

    The lines taken are those after the record's last kept piece, in text order, while each was removed by a
    content judgement (``soft_removal``; not 'line_model_comment': a reader's comment stays removed) and reads
    as a sentence (``is_prose``, at least four words; or at least eight words ending with a colon, introducing
    embedded media); the first other line (a rule's removal, another record's text, a share line) ends them.
    They are taken only when the body then reaches ``short_post_min_words`` words; otherwise nothing changes.

    Reads the lines, pieces and records; changes the pieces and the bodies of the records it restores.
    """
    need = st.opts.short_post_min_words
    if need <= 0:
        return
    starts = [ln.start for ln in st.lines]
    # the pieces in text order, and record -> the position there of its last kept piece: read when first needed,
    # and again after the pieces change (take_block)
    pieces: list[Piece] = []
    last_kept: dict[int, int] | None = None
    for idx, rec in enumerate(st.records):
        if rec.kind != "article" or rec.body_words >= need:
            continue
        if last_kept is None:
            pieces = st.pieces_by_start()[0]
            last_kept = {p.record: k for k, p in enumerate(pieces) if p.role != "removed" and p.record is not None}
        last = last_kept.get(idx)
        if last is None:
            continue
        taken: list[tuple[int, int, str]] = []
        total = rec.body_words
        for p in pieces[last + 1 :]:
            if p.role != "removed" or not soft_removal(p.rule or "") or p.rule == "line_model_comment":
                break
            a, b, t = paragraph_of(st, p, starts)
            n = words(t)
            if not (n >= _MIN_LINE_WORDS and is_prose(t)) and not (n >= _MIN_COLON_WORDS and t.endswith(":")):
                break
            taken.append((a, b, t))
            total += n
        if not taken or total < need:
            continue
        chosen = [(a, b, t, idx) for (a, b), t in zip(rec.paragraph_spans, rec.paragraphs, strict=True)]
        st.take_block(idx, chosen + [(a, b, t, idx) for a, b, t in taken])
        last_kept = None
