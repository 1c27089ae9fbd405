"""Run settings: one pydantic model with a group per stage, resolved once at the flow entry and passed down."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from . import limits
from .analytics import params

if TYPE_CHECKING:  # the splitter (and ftfy under it) is imported by the runs that split, not by every command
    from .split import SplitOptions


class MemorySettings(BaseModel):
    """DuckDB's memory limit for each step of the warehouse (``warehouse.db.memory_claim``: the claims of steps
    that run together add up on the one DuckDB instance; beyond its limit DuckDB spills to ``<db>.tmp``). Each
    value was measured on the benchmark corpora; the reasons are beside the constants that use them
    (``warehouse.db``, ``warehouse.loader``, ``warehouse.analytics``); the defaults are ``corpus_etl.limits``. The
    flow passes the run's values to each step. A value is a DuckDB memory size: ``"512MB"``, ``"1GB"``, ``"2GiB"``."""

    model_config = ConfigDict(frozen=True)

    writer: str = Field(limits.WRITER, description="The single writer's connection, for the whole run.")
    load: str = Field(
        limits.LOAD,
        description="A batch load (raised for a batch holding a very long value: loader.load_memory_limit).",
    )
    export: str = Field(limits.EXPORT, description="A Parquet export on its own (corpus-etl export, a full copy).")
    export_beside_analytics: str = Field(
        limits.EXPORT_BESIDE_ANALYTICS,
        description="The record tables' export, beside the analytics update (the two claims add up).",
    )
    export_after_analytics: str = Field(
        limits.EXPORT_AFTER_ANALYTICS,
        description="The analytics tables' export, after the update (search_terms in sorted chunks).",
    )
    run_export: str = Field(limits.RUN_EXPORT, description="The export of `runs` when a run is recorded finished.")
    analytics: str = Field(
        limits.ANALYTICS, description="The analytics update's set-based statements (inserts, joins)."
    )
    analytics_link: str = Field(
        limits.ANALYTICS_LINK,
        description="The analytics update's Python phases (linking bucket lists, writing the clusters).",
    )
    checkpoint: str = Field(limits.CHECKPOINT, description="The checkpoint right after the analytics update's commit.")
    report: str = Field(
        limits.REPORT, description="The reports' read-only connections (dashboard, Data Docs, DQ summary)."
    )

    @field_validator("*")
    @classmethod
    def _size(cls, value: str) -> str:
        limits.limit_bytes(value)  # a ValueError (one line) for what DuckDB would not read as a size
        return value


class AnalyticsSettings(BaseModel):
    """The near-duplicate index's parameters (why these values: ``corpus_etl.analytics.minhash``; the defaults
    are ``corpus_etl.analytics.params``). The batch workers and the writer (``warehouse.analytics``) use the
    run's values; stored signatures of another ``index_version`` are rebuilt (and their clusters relinked)."""

    model_config = ConfigDict(frozen=True)

    shingle_words: int = Field(
        params.SHINGLE_WORDS, ge=1, description="Words in a shingle (word n-grams of the casefolded body)."
    )
    num_perm: int = Field(params.NUM_PERM, ge=1, description="MinHash permutations (= bands x rows).")
    bands: int = Field(params.BANDS, ge=1, description="LSH bands.")
    rows: int = Field(params.ROWS, ge=1, description="Rows of a band.")
    seed: int = Field(params.SEED, ge=0, description="Seed of the MinHash permutations.")
    scheme: Literal["affine32"] = Field(params.SCHEME, description="The permutation scheme (datasketch's).")
    threshold: float = Field(
        params.THRESHOLD, gt=0, le=1, description="Jaccard of the shingle sets at which two articles are one story."
    )
    min_words: int = Field(
        params.MIN_WORDS, ge=0, description="Articles shorter than this (in words) are not clustered."
    )

    @model_validator(mode="after")
    def _banding(self) -> AnalyticsSettings:
        if self.bands * self.rows != self.num_perm:
            raise ValueError(f"bands x rows must equal num_perm ({self.bands} x {self.rows} != {self.num_perm})")
        return self

    @property
    def index_version(self) -> str:
        """Changes with any parameter: stored signatures of another version are rebuilt. The default parameters
        give ``params.INDEX_VERSION``; a threshold or min_words other than the default adds a suffix (they do not
        change a signature, but which articles are indexed and linked)."""
        v = params.index_version(self.shingle_words, self.scheme, self.seed, self.num_perm, self.bands, self.rows)
        if self.threshold != params.THRESHOLD:
            v += f"-t{self.threshold!r}"
        if self.min_words != params.MIN_WORDS:
            v += f"-min{self.min_words}"
        return v


DEFAULT_MEMORY = MemorySettings()
DEFAULT_ANALYTICS = AnalyticsSettings()


class ParagraphSettings(BaseModel):
    """The paragraph classifier's thresholds (jusText's defaults, which its authors tuned on the CleanEval
    pages; ``corpus_etl.paragraphs``), used on web pages to tell the article's paragraphs from chrome."""

    model_config = ConfigDict(frozen=True)

    length_low: int = Field(
        70, ge=0, description="A paragraph of fewer characters is 'short' (a heading, a menu entry, a caption)."
    )
    length_high: int = Field(
        200, ge=0, description="A paragraph of more characters (and dense in stopwords) is 'good' at once."
    )
    stopwords_low: float = Field(
        0.30, ge=0, le=1, description="Stopword density from which a paragraph is 'neargood' (below: 'bad')."
    )
    stopwords_high: float = Field(
        0.32, ge=0, le=1, description="Stopword density from which a long paragraph is 'good'."
    )
    min_list_density: float = Field(
        0.15, ge=0, le=1, description="A stoplist fits a text when at least this share of the sampled words is in it."
    )
    near_tie_share: float = Field(
        0.95,
        ge=0,
        le=1,
        description="A stoplist with less than half the words of the best one that matches this share of its "
        "hits wins (a smaller list wins a near tie).",
    )
    prose_run: int = Field(
        3, ge=1, description="This many near-good paragraphs in a row are running text: good (promote_prose_runs)."
    )


class ExtractionSettings(BaseModel):
    """How a text is split into articles and what of it is boilerplate (``corpus_etl.split``, ``corpus_etl.rules``,
    ``corpus_etl.learned``). ``split_options()`` makes the splitter's ``SplitOptions`` of them (the one place).

    Left out, as switches of training and evaluation rather than settings of a run: ``one_article`` and
    ``segment_headlines`` (set per segment by the format readers: a Multi-News article, a JSONL text),
    ``title_model_skip_adjacent`` (an ablation of the title model, off since its trees model) and
    ``page_weak_splits`` (the split reasons the web page logic is built around; changing them is changing the
    code). A change of any value here reaches files
    already loaded only through ``reprocess`` (as a change of the rules or of corpus-etl does)."""

    model_config = ConfigDict(frozen=True)

    rules_path: str | None = Field(None, description="Boilerplate rules file; the packaged one when unset.")
    learned_min_files: int = Field(
        5,
        ge=0,
        description="A line (not running text) held by at least this many distinct files of one outlet (folder) "
        "is learned as boilerplate and removed (rule 'learned_repeat'); 0 turns learning off.",
    )
    collection_min_clusters: int = Field(
        3,
        ge=0,
        description="In a Multi-News file, a paragraph (normalised as learned lines are; not a byline, date or tag "
        "line) held by articles of at least this many different clusters (unrelated stories) is boilerplate of the "
        "collection, such as a crawl notice or a video player's text, and is removed (rule 'collection_repeat'); "
        "an article left with nothing is no record. A paragraph shared by the articles of one cluster (wire copy "
        "of the same story) counts once. 0 turns it off.",
    )
    segment_headline_min_share: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="In a Multi-News or JSONL file of at least segment_headline_min_segments articles, when under "
        "this share of them open with a headline line, the file's articles come without headlines (Multi-News's "
        "are extracted bodies): a headline-like first line is a caption, a 'Story highlights' box or a standfirst "
        "more often than a headline, so it stays in the body and no article of the file takes its title from its "
        "text (a JSONL title field still names it). 0 turns it off.",
    )
    segment_headline_min_segments: int = Field(
        8, ge=1, description="Articles a Multi-News or JSONL file needs before segment_headline_min_share judges it."
    )
    min_body_words_before_split: int = Field(
        40, ge=1, description="Body words before a headline may start a new article."
    )
    headline_min_words: int = Field(3, ge=1, description="Fewest words of a headline-like line.")
    headline_max_words: int = Field(25, ge=1, description="Most words of a headline-like line.")
    repeated_line_max_words: int = Field(
        6,
        ge=0,
        description="A non-prose line of at most this many words printed more than once is a repeated label "
        "(a section name, a share row), not text; a longer one counts when printed three times or more.",
    )
    same_topic_similarity: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Below this word overlap (cosine of 5+ letter words) the text after a headline is another "
        "story. Measured on BBC pairs: different articles p99 0.17, the two halves of one article p10 0.15.",
    )
    navigation_block_max_prose_words: int = Field(
        100,
        ge=0,
        description="A record whose body is mostly short non-sentence lines is a menu that got a headline and is "
        "removed ('navigation_block') only when its sentences hold fewer words than this: a post under a run of "
        "repeated photo captions keeps its text (its short lines are trimmed as chrome).",
    )
    weak_run_min: int = Field(
        2,
        ge=1,
        description="Inside a body, this many short non-sentence lines in a row are chrome (a lone one is a "
        "subheading).",
    )
    page_min_chrome_lines: int = Field(
        3,
        ge=0,
        description="A text with at least this many lines of web chrome (menus, share rows, skip links, "
        "copyright...) is a web page: a topic change alone does not split it, and its bodies are trimmed by the "
        "paragraph classifier. Text without chrome (a concatenation of clean articles) is split as before.",
    )
    page_min_chrome_per_1000_words: float = Field(
        1.0,
        ge=0,
        description="... and at least this many of them per 1,000 words of the text (web pages: 99 % have 2.9 "
        "or more; 31 BBC stories a file holding 5 link-list lines: 0.4).",
    )
    page_gap_lines: int = Field(
        8,
        ge=0,
        description="On web pages a weak split stands when at least this many removed lines (a footer, the next "
        "page's header) lie between the article before and the new one, and the new one has "
        "page_gap_min_words words.",
    )
    page_gap_min_words: int = Field(
        100,
        ge=0,
        description="Words of the new article for a weak split on a web page to stand (page_gap_lines), and of "
        "an article of a page other than its main one to keep a body of its own (line_model_article_share).",
    )
    zone_end_menu_lines: int = Field(
        8,
        ge=1,
        description="Under reader comments or related teasers, this many menu-like lines in a row (link lists, "
        "navigation) are the next page's header: what follows is a new page's main zone.",
    )
    title_model: bool = Field(
        True,
        description="On web pages, each article's headline picked by the trained title model "
        "(corpus_etl/titles.py); off: the first headline-like line before the body.",
    )
    title_inside_body_max_words: int = Field(
        40,
        ge=0,
        description="The title model's headline may lie in the body's first lines: the body before it goes when "
        'it has at most this many words (a date line, "Keep me logged in", "You are here: Home / ...").',
    )
    boundary_model: bool = Field(
        True,
        description="Article boundaries decided by the trained boundary model (corpus_etl/boundary.py): whether "
        "a headline-like line after enough body opens a new article ('model'), and whether a block of running "
        "text with no headline does ('model_untitled'); off: the topic-change rule, and text without headlines "
        "never splits.",
    )
    model_strong: float = Field(
        0.9,
        ge=0,
        le=1,
        description="A headline-like line the boundary model gives this probability opens an article after only "
        "model_strong_min_words words of body (a short brief, a table of figures). On a web page every model "
        "split is weak: the model is trained on concatenations of clean stories, where a subheading with a "
        "change of topic is rare; on a page it is common.",
    )
    model_strong_min_words: int = Field(10, ge=0, description="Body words before a strong model split (model_strong).")
    model_short_body: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A headline-like line over running text that the boundary model gives this probability opens an "
        "article after model_strong_min_words words of body, short of min_body_words_before_split (a wire story of "
        "two sentences, then the next story's headline, with one blank line between them).",
    )
    paragraph_classifier: bool = Field(
        True,
        description="On web pages, the bodies are trimmed by the paragraph classifier (jusText's, thresholds "
        "in `paragraphs`); off: the rules alone decide.",
    )
    paragraphs: ParagraphSettings = Field(
        ParagraphSettings(), description="The paragraph classifier's thresholds (ParagraphSettings)."
    )
    line_model: bool = Field(
        True,
        description="On web pages, each page's article body decided line by line by the trained line model "
        "(corpus_etl/linemodel), reading what the rules made of each line; off: the rules alone.",
    )
    line_model_path: str | None = Field(
        None,
        description="A line model file (make train-lines) used instead of the packaged one; the page model "
        "beside it (pagemodel*.npz for linemodel*.npz, else <name>-pages.npz) goes with it.",
    )
    line_model_article_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="An article of a page other than its main one keeps a body of its own when the line model "
        "calls more than this share of its characters body (and it has page_gap_min_words words).",
    )
    line_model_drop_chrome: bool = Field(
        True,
        description="An article of a page other than its main one that the line model calls body for no more "
        "than line_model_article_share of its characters, with fewer than page_gap_min_words words, is chrome the "
        "rules took for an article (a licence notice, a sign-up box): its lines are removed as "
        "'line_model_<label>'; so is the main article of a page of such chrome (a footer after a page's end) "
        "when another page of the text has a real article.",
    )
    line_model_keep_related: bool = Field(
        True,
        description="A record of kind 'related' after page_gap_min_words words of an article's body ends the "
        "lines the line model may give that article (before them, the rules' related block may be the article "
        "itself).",
    )
    page_model: bool = Field(
        True,
        description="On web pages, the trained page model (corpus_etl/linemodel/pages.py, beside the line model "
        "file) finds where a second page starts inside what the rules read as one page (glued pages); the text "
        "is split again with a page starting there; off: the rules' page starts alone.",
    )
    record_model: bool = Field(
        True,
        description="On web pages, the trained record model (corpus_etl/linemodel/records.py, beside the line model "
        "file) reads every article record but the file's largest and makes the ones it calls page chrome, comments "
        "or teasers kind 'related' (reason 'record_model_junk'); off: the rules' and the line model's kinds stay. "
        "A wire story is never asked: a record with its own dated wire dateline (opening its body, or on a line of its "
        "own, even removed), or a brief whose body restore_dated_briefs or restore_headline_briefs gave back, nor a "
        "page's only article that "
        "restore_empty_pages gave back (a real article is never hidden).",
    )
    block_gap: int = Field(
        4,
        ge=0,
        description="On a web page, good paragraphs this many bad paragraphs or chrome lines away from the body's "
        "main block, in a block of less than block_keep_share of its text, are not the article.",
    )
    block_keep_share: float = Field(
        0.25, ge=0, le=1, description="A block holding at least this share of the body's text is kept (block_gap)."
    )
    block_keep_paragraphs: int = Field(
        3, ge=0, description="A block of this many good paragraphs is text of the article, kept (block_gap)."
    )
    block_off_max_share: float = Field(
        1.0,
        ge=0,
        description="... unless the small blocks hold together more than this share of the main block's text: "
        "then the body is one text cut up by links or widgets, and no block is removed (a safety net).",
    )
    related_rejoin_good: int = Field(
        2,
        ge=0,
        description="A related block with a headline right after a web page's article continues it when the "
        "classifier finds this many good paragraphs in it.",
    )
    comments_max_unmarked: float = Field(
        2.0,
        ge=0,
        description="Under a comments heading, prose of more than this many times the article's words with no "
        "comment marker in it is not comments.",
    )
    comments_max_lead_words: int = Field(
        250,
        ge=0,
        description="... and more than this many words of such prose before the first comment marker, however "
        "long the article.",
    )
    recall_fallback_share: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Recall safeguard: on a web page whose article keeps less than this share of the text the "
        "classifier finds good in the page's articles (read as one sequence before trimming), ...",
    )
    recall_fallback_min_chars: int = Field(
        1000,
        ge=0,
        description="... while one block of good paragraphs holds at least this many characters and "
        "recall_fallback_block_share of that good text, the block becomes the article's body (trafilatura's "
        "fallback to a baseline extraction).",
    )
    recall_fallback_block_share: float = Field(
        0.5, ge=0, le=1, description="The share of the good text that block must hold (recall_fallback_min_chars)."
    )
    brief_min_words: int = Field(
        20,
        ge=0,
        description='On a web page, a wire story opening with a dateline that states the day ("LONDON, March 25 -") '
        "whose article keeps fewer body words than this (and than half the story's words) is a brief of figures the "
        "classifiers read as chrome: the lines only a content judgement removed are its body again "
        "(corpus_etl.split.passes.briefs). In a text that is no web page, a record under its headline that keeps fewer "
        "body words than this and than half its story's gets back the story's rows that the repeat rules or the edge "
        'trim removed ("Pay July 28" under many dividend notices).',
    )
    page_brief_floor_words: int = Field(
        5,
        ge=0,
        description="On a web page, a record under its headline that keeps fewer body words than this (the floor "
        "under which expectations/articles.json quarantines a record as no article) gets back its story's lines that "
        "a content judgement or the edge trim removed, up to a rule's chrome or another record, when half of the "
        "story's lines or more are rows of a table (a few words holding a figure that is no list number and no bare "
        'date): a wire table with one figure a row ("Wheat 73,684"), which the line model reads as chrome '
        "(corpus_etl.split.passes.briefs).",
    )
    short_post_min_words: int = Field(
        20,
        ge=0,
        description="On a web page, an article whose body keeps fewer words than this gets back the sentences right "
        "below it that only a content judgement removed, when they bring it to this many words: a short post the "
        "line model read as a caption (corpus_etl.split.passes.short_posts; 0 turns it off). The default is the "
        "articles suite's fewest body words.",
    )

    @field_validator("collection_min_clusters")
    @classmethod
    def _some_clusters(cls, value: int) -> int:
        if value == 1:  # (one cluster holds every paragraph: the whole file would go)
            raise ValueError("collection_min_clusters must be 0 (off) or at least 2")
        return value

    def split_options(self) -> SplitOptions:
        """The splitter's options (``corpus_etl.split.SplitOptions``, with ``ParagraphOptions``) of these settings."""
        from .paragraphs import ParagraphOptions  # lazy: numpy stays off the CLI start-up and rerun path
        from .split import SplitOptions  # lazy: split pulls numpy and ftfy; see above

        knobs = self.model_dump(exclude={"rules_path", "learned_min_files", "paragraphs"})
        return SplitOptions(**knobs, paragraphs=ParagraphOptions(**self.paragraphs.model_dump()))


class ReadingSettings(BaseModel):
    """How the files of a run are found and read (``corpus_etl.reading``, ``corpus_etl.formats``)."""

    model_config = ConfigDict(frozen=True)

    read_attempts: int = Field(
        3, ge=1, description="Reads of a file before a transient error (EIO, ESTALE, a change while read) fails it."
    )
    read_backoff: float = Field(0.2, ge=0, description="Seconds before the 2nd read of a file; doubled for each next.")
    input_format: Literal["auto", "text", "multinews", "jsonl"] = Field(
        "auto", description="Input format; 'auto' detects it per file (suffix, then content)."
    )
    text_field: str = Field("text", description="JSONL: the field holding the article text.")
    max_inflate_ratio: float = Field(
        100.0,  # corpus_etl.decode.MAX_INFLATE_RATIO (decode stays off the rerun path: charset-normalizer)
        gt=0,
        description="A compressed file may inflate to at most this many times its size (always to 16 MiB, never "
        "past 4 GiB); past it the file is refused as a decompression bomb, as it is read (corpus_etl.decode).",
    )
    follow_symlinks: bool = Field(
        False,
        description="Read files reached through symbolic links that leave a SOURCE directory (by default such a "
        "link is recorded as failed and not read).",
    )


class LanguageSettings(BaseModel):
    """Language detection of each record and of the paragraphs of records that mix languages (``corpus_etl.langid``)."""

    model_config = ConfigDict(frozen=True)

    seed: int = Field(0, description="Seed of langdetect.")
    sample_chars: int = Field(1000, ge=100, description="Characters of each body read by langdetect.")
    engine: Literal["fast", "langdetect"] = Field(
        "fast",
        description="Language detection engine: 'fast' runs langdetect's algorithm and profiles with numpy "
        "(identical results, about half the time); 'langdetect' runs langdetect's own Python code.",
    )
    min_letters: int = Field(20, ge=1, description="Fewer letters than this give language 'und'.")


class Settings(BaseSettings):
    """Everything a run depends on, in groups per stage (``reading``, ``extraction``, ``language``, ``analytics``,
    ``memory``) beside the run's own settings. Environment variables ``CORPUS_ETL_<NAME>`` override defaults; a
    field of a group is ``CORPUS_ETL_<GROUP>__<NAME>`` (``CORPUS_ETL_EXTRACTION__LINE_MODEL=false``,
    ``CORPUS_ETL_EXTRACTION__PARAGRAPHS__LENGTH_LOW=60``). Resolved once at the flow's entry, passed down, and
    recorded with the run (``runs.settings_json``). The reference, generated from the descriptions:
    docs/settings.md (``python -m corpus_etl.settings --write``)."""

    model_config = SettingsConfigDict(env_prefix="CORPUS_ETL_", env_nested_delimiter="__", frozen=True)

    warehouse: Path = Field(Path("data"), description="Warehouse directory (corpus.duckdb, parquet/, staging/).")
    workers: int = Field(0, ge=0, description="Worker processes for splitting and language detection; 0 = cores.")
    batch_files: int = Field(
        2048,
        ge=1,
        description="Most files in one batch task. Batches also close at batch_bytes, and a run's files are "
        "spread over about 4 batches per worker (largest files first), so small files share a batch (its "
        "fixed cost: a task, GX validation, a load transaction) while big files run in parallel and the "
        "workers finish together.",
    )
    batch_bytes: int = Field(
        4 << 20, ge=1, description="A batch closes once it holds this many bytes (small batches: flat memory)."
    )
    reprocess: bool = Field(
        False,
        description="Re-extract every discovered file, unchanged ones too, replacing its rows: how a change of "
        "the boilerplate rules or of the extractor (or its revert) reaches files already loaded.",
    )
    validate_data: bool = Field(True, description="Run the Great Expectations suites on every batch.")
    progress: bool = Field(False, description="Show a progress bar on stderr.")
    lock_wait: float = Field(
        0.0, ge=0, description="Seconds to wait for another run holding the warehouse lock; 0 = refuse at once."
    )
    runner: Literal["local", "dask"] = Field(
        "local", description="Where batches are processed: 'local' (a process pool) or 'dask' (a Dask cluster)."
    )
    dask_address: str | None = Field(
        None, description="Scheduler of an existing Dask cluster (tcp://HOST:PORT); None = a local cluster."
    )
    lake: str | None = Field(
        None,
        description="Also publish the Parquet copy here (s3://bucket/prefix or a directory); None = only parquet/.",
    )
    reading: ReadingSettings = Field(ReadingSettings(), description="Finding and reading the files (ReadingSettings).")
    extraction: ExtractionSettings = Field(
        ExtractionSettings(), description="Splitting texts into articles, boilerplate (ExtractionSettings)."
    )
    language: LanguageSettings = Field(LanguageSettings(), description="Language detection (LanguageSettings).")
    analytics: AnalyticsSettings = Field(
        DEFAULT_ANALYTICS, description="The near-duplicate index's parameters (AnalyticsSettings)."
    )
    memory: MemorySettings = Field(
        DEFAULT_MEMORY, description="DuckDB's memory limit per warehouse step (MemorySettings)."
    )

    @property
    def db_path(self) -> Path:
        return self.warehouse / "corpus.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.warehouse / "parquet"

    @property
    def staging_dir(self) -> Path:
        return self.warehouse / "staging"

    @property
    def n_workers(self) -> int:
        return self.workers or (os.cpu_count() or 1)

    def split_options(self) -> SplitOptions:
        """The splitter's options of ``extraction`` (``ExtractionSettings.split_options``)."""
        return self.extraction.split_options()

    def resolved(self) -> Settings:
        """A copy with the warehouse path made absolute."""
        return self.model_copy(update={"warehouse": self.warehouse.expanduser().resolve()})


GROUPS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("reading", ReadingSettings),
    ("extraction", ExtractionSettings),
    ("extraction.paragraphs", ParagraphSettings),
    ("language", LanguageSettings),
    ("analytics", AnalyticsSettings),
    ("memory", MemorySettings),
)


# CORPUS_ETL_* variables the project reads that are no settings (the tests' corpora, the CLI's exit mode, the
# SOURCE of prefect.yaml's deployments).
NOT_SETTINGS = frozenset({"CORPUS_ETL_SHARED", "CORPUS_ETL_FULL_EXIT", "CORPUS_ETL_SOURCE"})


def _env_names(model: type[BaseModel], prefix: str) -> dict[str, str]:
    """Every environment variable of ``model``'s fields (a group's name too: it takes JSON), by name: the dotted
    path of the setting."""
    out: dict[str, str] = {}
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        out[f"CORPUS_ETL_{path.replace('.', '__').upper()}"] = path
        sub = field.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            out.update(_env_names(sub, f"{path}."))
    return out


def unknown_environment(environ: dict[str, str] | os._Environ[str]) -> list[str]:
    """One line per ``CORPUS_ETL_*`` variable of ``environ`` that names no setting (pydantic-settings ignores
    them: a typo, or a name of before the settings were grouped by stage, would silently change nothing), with
    the setting it may mean (``CORPUS_ETL_LANG_ENGINE`` -> ``language.engine``)."""
    known = _env_names(Settings, "")
    out = []
    for name in sorted(environ):
        if not name.startswith("CORPUS_ETL_") or name in known or name in NOT_SETTINGS:
            continue
        tail = name.removeprefix("CORPUS_ETL_").lower()
        hints = sorted(
            path
            for path in known.values()
            if "." in path and (tail == path.rsplit(".", 1)[1] or tail.endswith("_" + path.rsplit(".", 1)[1]))
        )
        names = {v: k for k, v in known.items()}
        maybe = f" (did you mean {' or '.join(names[h] for h in hints)}?)" if hints else ""
        out.append(f"{name} is no setting{maybe}; the settings: docs/settings.md")
    return out


def reference() -> str:
    """The settings reference (docs/settings.md), generated from the models' fields and descriptions."""

    def rows(model: type[BaseModel], prefix: str) -> list[str]:
        out = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
        for name, f in model.model_fields.items():
            if isinstance(f.default, BaseModel):
                continue  # a nested group: its own section
            env = "CORPUS_ETL_" + "__".join([*prefix.split("."), name] if prefix else [name]).upper()
            default = "unset" if f.default is None else f"`{f.default}`"
            text = (f.description or "").replace("|", "\\|")
            out.append(f"| `{prefix + '.' if prefix else ''}{name}` | `{env}` | {default} | {text} |")
        return out

    lines = [
        "# Settings reference",
        "",
        "<!-- generated by `python -m corpus_etl.settings --write` from corpus_etl/settings.py: do not edit -->",
        "",
        "One model (`corpus_etl.settings.Settings`), resolved once when a run starts and recorded with it",
        "(`runs.settings_json`, with `rules_version` and `boundary_model_version`). Each setting comes from the",
        "CLI option that sets it (`corpus-etl ingest --help`), else its environment variable, else its default; a",
        "setting of a group is `CORPUS_ETL_<GROUP>__<NAME>` (`CORPUS_ETL_EXTRACTION__LINE_MODEL=false`), and a",
        'whole group may also be given as JSON (`CORPUS_ETL_ANALYTICS=\'{"num_perm": 64, "bands": 16}\'`). A',
        "changed extraction setting reaches files already loaded only with `--reprocess`; a changed `analytics`",
        "setting changes `index_version`, and the next run rebuilds the near-duplicate index. A `CORPUS_ETL_*`",
        "variable that names no setting (a typo, or a name of before the settings were grouped, such as",
        "`CORPUS_ETL_LANG_ENGINE`, now `CORPUS_ETL_LANGUAGE__ENGINE`) is refused by the CLI with a one-line error",
        "that names the setting it may mean (`settings.unknown_environment`).",
        "",
        "## Run",
        "",
        *rows(Settings, ""),
    ]
    for prefix, model in GROUPS:
        lines += ["", f"## {prefix}", "", " ".join((model.__doc__ or "").split()), "", *rows(model, prefix)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m corpus_etl.settings [--write]: print (or write) docs/settings.md
    import sys

    doc = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
    if "--write" in sys.argv[1:]:
        doc.write_text(reference(), encoding="utf-8")
    else:
        sys.stdout.write(reference())
