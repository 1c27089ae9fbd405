"""The splitter's options and what it hands back: ``SplitOptions``, the ``SplitResult`` of ``RawRecord`` records
and ``RemovedSpan`` removed spans, and the ``Piece`` (a classified part of a line) the passes work on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..paragraphs import ParagraphOptions
from ..settings import ExtractionSettings
from .lines import Line


class RecordIndex:
    """The pieces of a text by record (``SplitState.pieces_of``), each under its position in the text's list of
    pieces: a pass that asks for one record's pieces reads them here instead of scanning every piece of the text
    (quadratic on a file of thousands of records). A piece tells the index it was added to when its ``record``
    changes (``Piece.__setattr__``)."""

    __slots__ = ("by_record", "seq")

    def __init__(self) -> None:
        self.by_record: dict[int | None, dict[int, Piece]] = {}
        self.seq: dict[int, int] = {}  # id(piece) -> its position in the list of pieces

    def add(self, p: Piece, seq: int) -> None:
        """Index piece ``p``, the ``seq``-th of the text."""
        self.seq[id(p)] = seq
        self.by_record.setdefault(p.record, {})[seq] = p
        p.held = self

    def move(self, p: Piece, old: int | None, new: int | None) -> None:
        """Piece ``p`` moves from record ``old`` to ``new``."""
        seq = self.seq[id(p)]
        del self.by_record[old][seq]
        self.by_record.setdefault(new, {})[seq] = p

    def shift(self, first: int) -> None:
        """Renumber records ``first`` and after by one (a record was inserted before them): the index and the
        pieces' ``record`` both."""
        after = sorted((r for r in self.by_record if r is not None and r >= first), reverse=True)
        for r in after:
            held = self.by_record.pop(r)
            self.by_record[r + 1] = held
            for p in held.values():
                object.__setattr__(p, "record", r + 1)  # (not through Piece.__setattr__: the index is moved here)

    def of(self, record: int) -> list[Piece]:
        """The pieces of ``record``, in the order they were added."""
        held = self.by_record.get(record)
        return [held[k] for k in sorted(held)] if held else []


@dataclass(slots=True)
class Piece:
    """A classified part of a line. ``role`` is a record role or 'removed' (then ``rule`` says why)."""

    start: int
    end: int
    role: str
    rule: str | None = None
    record: int | None = None
    # the index of the state the piece belongs to (``RecordIndex``), told when ``record`` changes
    held: RecordIndex | None = field(default=None, repr=False, compare=False)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "record":
            held = getattr(self, "held", None)  # (unset while the dataclass' __init__ runs)
            if held is not None and value != self.record:
                held.move(self, self.record, value)
        object.__setattr__(self, name, value)


@dataclass(slots=True)
class RawRecord:
    """A record before normalisation: its pieces and the metadata found on its lines."""

    kind: str  # 'article' | 'related'
    title: str | None = None
    # where a title came from when it was not a headline line of the text ('jsonl_field'); see TITLE_SOURCES
    title_source: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    outlet: str | None = None
    tags: list[str] = field(default_factory=list)
    dateline: str | None = None
    published: str | None = None  # ISO date stated near the headline
    paragraph_spans: list[tuple[int, int]] = field(default_factory=list)
    cluster: int | None = None  # Multi-News cluster / JSONL line number
    meta: dict[str, object] | None = None  # JSONL fields other than the text
    body_words: int = 0
    char_start: int = 0
    char_end: int = 0
    # why a 'related' record is not an article (a ``kinds.KIND_REASONS`` name; None for an article) and, for the
    # record model's reason, its probability
    kind_reason: str | None = None
    kind_prob: float | None = None
    # a wire story whose body ``restore_dated_briefs`` or ``restore_headline_briefs`` gave back (or whose record
    # ``restore_dated_briefs`` made): a real article, which the record model never makes 'related' (a flag on the
    # record: passes may insert records and renumber them)
    wire_brief: bool = False
    # the only article of its page, which ``restore_empty_pages`` gave back its removed story: never made 'related'
    page_article: bool = False
    # where its extent starts when removed lines right above its first kept line are its head (headline, date,
    # byline: ``passes.heads.claim_heads``); None: at its first kept line
    head_start: int | None = None

    def set_kind(self, kind: str, reason: str | None = None, prob: float | None = None) -> None:
        """Make the record ``kind``: 'article' (no reason), or 'related' with ``reason`` (a ``kinds.KIND_REASONS``
        name) and, for a model's reason, its probability."""
        assert (kind == "article") == (reason is None), (kind, reason)
        self.kind, self.kind_reason, self.kind_prob = kind, reason, prob


@dataclass(slots=True)
class RemovedSpan:
    """A removed span of the source text; ``record`` is the index of the record whose extent holds it."""

    start: int
    end: int
    rule: str
    record: int | None = None


@dataclass(slots=True)
class SplitResult:
    """Records in text order and the removed spans; together they account for the whole text."""

    records: list[RawRecord]
    removed: list[RemovedSpan]
    text_length: int
    # the plain text's logical lines (``logical_lines``), which the learned-boilerplate counts reuse
    lines: list[Line] | None = None
    # the gaps between body lines where the page model saw a page start it did not split at: (offset of the line
    # after the gap, the model's probability), in text order (``articles.may_hold_two_pages``, corpus_etl/glued.py)
    page_gap_probs: list[tuple[int, float]] = field(default_factory=list)


_PARAGRAPHS = ParagraphOptions()


def _setting(name: str) -> Any:
    """The default of the run setting ``extraction.<name>`` (``settings.ExtractionSettings``)."""
    return ExtractionSettings.model_fields[name].default


@dataclass(frozen=True)
class SplitOptions:
    """Knobs of the plain-text splitter. A run's are made of its settings in one place
    (``settings.ExtractionSettings.split_options``), where each is documented. The defaults of those that are
    run settings are the settings' own (``_setting``: stated once, in ``ExtractionSettings``), for the callers
    without settings (training, tests); the others are marked "(not a run setting)"."""

    min_body_words_before_split: int = _setting("min_body_words_before_split")
    headline_min_words: int = _setting("headline_min_words")
    headline_max_words: int = _setting("headline_max_words")
    repeated_line_max_words: int = _setting("repeated_line_max_words")
    same_topic_similarity: float = _setting("same_topic_similarity")
    weak_run_min: int = _setting("weak_run_min")
    navigation_block_max_prose_words: int = _setting("navigation_block_max_prose_words")
    page_min_chrome_lines: int = _setting("page_min_chrome_lines")
    page_min_chrome_per_1000_words: float = _setting("page_min_chrome_per_1000_words")
    page_gap_lines: int = _setting("page_gap_lines")
    zone_end_menu_lines: int = _setting("zone_end_menu_lines")
    title_model: bool = _setting("title_model")
    # (not a run setting) when on, where the headline test's title sits right over the body, it stands (off since
    # the trees model: it finds the headline where the headline test took a byline or a caption over the body).
    title_model_skip_adjacent: bool = False
    title_inside_body_max_words: int = _setting("title_inside_body_max_words")
    page_gap_min_words: int = _setting("page_gap_min_words")
    # (not a run setting) open reasons (see SplitState.open_record) too weak to split a web page.
    page_weak_splits: tuple[str, ...] = ("topic", "layout", "model", "model_untitled", "model_strong")
    boundary_model: bool = _setting("boundary_model")
    # (not a run setting) the text is one article (an explicit segment: a Multi-News article, a JSONL text): only
    # an opener after a headline, a page start or a related block opens another record in it.
    one_article: bool = False
    # (not a run setting) in an explicit segment, a headline line may be the article's title; off for the segments
    # of a file whose articles come without headlines (``formats._Builder``): the line stays in the body.
    segment_headlines: bool = True
    segment_headline_min_share: float = _setting("segment_headline_min_share")
    segment_headline_min_segments: int = _setting("segment_headline_min_segments")
    model_strong: float = _setting("model_strong")
    model_strong_min_words: int = _setting("model_strong_min_words")
    model_short_body: float = _setting("model_short_body")
    paragraph_classifier: bool = _setting("paragraph_classifier")
    paragraphs: ParagraphOptions = _PARAGRAPHS  # the paragraph classifier's thresholds
    line_model: bool = _setting("line_model")
    line_model_path: str | None = _setting("line_model_path")  # another line model file (training's folds)
    line_model_article_share: float = _setting("line_model_article_share")
    line_model_drop_chrome: bool = _setting("line_model_drop_chrome")
    line_model_keep_related: bool = _setting("line_model_keep_related")
    page_model: bool = _setting("page_model")
    record_model: bool = _setting("record_model")
    block_gap: int = _setting("block_gap")
    related_rejoin_good: int = _setting("related_rejoin_good")
    block_keep_share: float = _setting("block_keep_share")
    block_keep_paragraphs: int = _setting("block_keep_paragraphs")
    block_off_max_share: float = _setting("block_off_max_share")
    comments_max_unmarked: float = _setting("comments_max_unmarked")
    comments_max_lead_words: int = _setting("comments_max_lead_words")
    recall_fallback_share: float = _setting("recall_fallback_share")
    recall_fallback_min_chars: int = _setting("recall_fallback_min_chars")
    recall_fallback_block_share: float = _setting("recall_fallback_block_share")
    brief_min_words: int = _setting("brief_min_words")
    page_brief_floor_words: int = _setting("page_brief_floor_words")
    short_post_min_words: int = _setting("short_post_min_words")
    collection_min_clusters: int = _setting("collection_min_clusters")
