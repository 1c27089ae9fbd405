"""Run settings: one pydantic model, resolved once at the flow entry and passed down."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from . import limits
from .analytics import params

if TYPE_CHECKING:  # the splitter (and ftfy under it) is imported by the runs that split, not by every command
    from .split import SplitOptions


class MemorySettings(BaseModel):
    """DuckDB's memory limit for each step of the warehouse (``warehouse.db.memory_claim``: the claims of steps
    that run together add up on the one DuckDB instance; beyond its limit DuckDB spills to ``<db>.tmp``). Each
    value was measured on the benchmark corpora; the reasons are beside the constants that use them
    (``warehouse.db``, ``warehouse.loader``, ``warehouse.analytics``); the defaults are ``corpus_etl.limits``."""

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


class AnalyticsSettings(BaseModel):
    """The near-duplicate index's parameters (why these values: ``corpus_etl.analytics.minhash``; the defaults
    are ``corpus_etl.analytics.params``, which the MinHash code and the writer read). Stored signatures of
    another ``index_version`` are rebuilt."""

    model_config = ConfigDict(frozen=True)

    shingle_words: int = Field(
        params.SHINGLE_WORDS, description="Words in a shingle (word n-grams of the casefolded body)."
    )
    num_perm: int = Field(params.NUM_PERM, description="MinHash permutations (= bands x rows).")
    bands: int = Field(params.BANDS, description="LSH bands.")
    rows: int = Field(params.ROWS, description="Rows of a band.")
    seed: int = Field(params.SEED, description="Seed of the MinHash permutations.")
    scheme: str = Field(params.SCHEME, description="The permutation scheme (datasketch's).")
    threshold: float = Field(
        params.THRESHOLD, description="Jaccard of the shingle sets at which two articles are one story."
    )
    min_words: int = Field(params.MIN_WORDS, description="Articles shorter than this (in words) are not clustered.")

    @property
    def index_version(self) -> str:
        """Changes with any parameter: stored signatures of another version are rebuilt."""
        return params.INDEX_VERSION


# The values the warehouse's modules use (their constants are these): recorded with every run in
# ``runs.settings_json``; a run cannot change them yet (``Settings`` refuses other values).
DEFAULT_MEMORY = MemorySettings()
DEFAULT_ANALYTICS = AnalyticsSettings()


class Settings(BaseSettings):
    """Everything a run depends on. Environment variables ``CORPUS_ETL_<NAME>`` override defaults."""

    model_config = SettingsConfigDict(env_prefix="CORPUS_ETL_", frozen=True)

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
    read_attempts: int = Field(
        3, ge=1, description="Reads of a file before a transient error (EIO, ESTALE, a change while read) fails it."
    )
    read_backoff: float = Field(0.2, ge=0, description="Seconds before the 2nd read of a file; doubled for each next.")
    input_format: Literal["auto", "text", "multinews", "jsonl"] = Field(
        "auto", description="Input format; 'auto' detects it per file (suffix, then content)."
    )
    text_field: str = Field("text", description="JSONL: the field holding the article text.")
    rules_path: str | None = Field(None, description="Boilerplate rules file; the packaged one when unset.")
    lang_seed: int = Field(0, description="Seed of langdetect.")
    lang_sample_chars: int = Field(1000, ge=100, description="Characters of each body read by langdetect.")
    lang_engine: Literal["fast", "langdetect"] = Field(
        "fast",
        description="Language detection engine: 'fast' runs langdetect's algorithm and profiles with numpy "
        "(identical results, about half the time); 'langdetect' runs langdetect's own Python code.",
    )
    lang_min_letters: int = Field(20, ge=1, description="Fewer letters than this give language 'und'.")
    min_body_words_before_split: int = Field(
        40, ge=1, description="Body words before a headline may start a new article."
    )
    boundary_model: bool = Field(
        True,
        description="Article boundaries decided by the trained boundary model (corpus_etl/boundary.py); off: "
        "the topic-change rule, and text without headlines never splits.",
    )
    title_model: bool = Field(
        True,
        description="On web pages, each article's headline picked by the trained title model "
        "(corpus_etl/titles.py); off: the first headline-like line before the body.",
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
    page_model: bool = Field(
        True,
        description="On web pages, the trained page model (corpus_etl/linemodel/pages.py) finds where a "
        "second page starts inside what the rules read as one page (glued pages); off: the rules' page "
        "starts alone.",
    )
    learned_min_files: int = Field(
        5,
        ge=0,
        description=(
            "A line (not running text) held by at least this many distinct files of one outlet (folder) is "
            "learned as boilerplate and removed (rule 'learned_repeat'); 0 turns learning off."
        ),
    )
    reprocess: bool = Field(
        False,
        description="Re-extract every discovered file, unchanged ones too, replacing its rows: how a change of "
        "the boilerplate rules or of the extractor (or its revert) reaches files already loaded.",
    )
    follow_symlinks: bool = Field(
        False,
        description="Read files reached through symbolic links that leave a SOURCE directory (by default such a "
        "link is recorded as failed and not read).",
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
    memory: MemorySettings = Field(
        DEFAULT_MEMORY,
        description="DuckDB's memory limit per warehouse step (MemorySettings); recorded with the run, fixed.",
    )
    analytics: AnalyticsSettings = Field(
        DEFAULT_ANALYTICS,
        description="The near-duplicate index's parameters (AnalyticsSettings); recorded with the run, fixed.",
    )

    @field_validator("memory", "analytics")
    @classmethod
    def _fixed(cls, value: BaseModel) -> BaseModel:
        """The modules that use these read the defaults: a run asking for others would record values it did
        not use, so it is refused (one line) until they are passed down."""
        if value != type(value)():
            raise ValueError(f"{type(value).__name__} cannot be changed per run yet (the defaults are used)")
        return value

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
        from .split import SplitOptions

        return SplitOptions(
            min_body_words_before_split=self.min_body_words_before_split,
            boundary_model=self.boundary_model,
            title_model=self.title_model,
            line_model=self.line_model,
            line_model_path=self.line_model_path,
            page_model=self.page_model,
        )

    def resolved(self) -> Settings:
        """A copy with the warehouse path made absolute."""
        return self.model_copy(update={"warehouse": self.warehouse.expanduser().resolve()})
