"""The one schema of the warehouse.

Every table the pipeline writes is declared here once, as a pyarrow schema whose fields carry a
description. The DuckDB DDL (``warehouse.ddl``), the Parquet writer, the README's contract tables and the
Great Expectations suites (``expectations/``, checked against this module by the tests) all derive from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from .identity import OUTLET_SOURCES, SITE_SOURCES
from .kinds import KIND_REASONS

_DESC = b"description"


def _f(name: str, typ: pa.DataType, description: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, typ, nullable=nullable, metadata={_DESC: description.encode()})


STR = pa.string()
LIST_STR = pa.list_(pa.string())
TS = pa.timestamp("us", tz="UTC")
# Values of ``articles.title_source`` (see ``pipeline.title_source_of``).
TITLE_SOURCES = ("headline", "jsonl_field", "none")


@dataclass(frozen=True)
class TableSpec:
    """A warehouse table: its name, what one row is, its Arrow schema and its primary key."""

    name: str
    description: str
    schema: pa.Schema
    primary_key: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        return list(self.schema.names)

    def column_description(self, column: str) -> str:
        meta = self.schema.field(column).metadata or {}
        return meta.get(_DESC, b"").decode()


SOURCES = TableSpec(
    name="sources",
    description="One row per input file ever seen: where it is, what it held and what became of it.",
    primary_key=("source_id",),
    schema=pa.schema(
        [
            _f("source_id", STR, "Stable id of the file: sha256 of its absolute path, 16 hex digits.", False),
            _f("path", STR, "Absolute path (or URL) of the file as read.", False),
            _f("size_bytes", pa.int64(), "Size of the file on disk, in bytes.", False),
            _f("mtime", TS, "Modification time of the file when it was read."),
            _f("sha256", STR, "sha256 of the file's bytes; NULL when it could not be read."),
            _f("encoding", STR, "Encoding the bytes were decoded with (utf-8, utf-8-sig, utf-16, cp1252, ...)."),
            _f(
                "encoding_confidence",
                pa.float64(),
                "How sure the choice of `encoding` is, 0-1: 1 for a BOM, UTF-8 and UTF-16/32; for a legacy encoding "
                "charset-normalizer's 1 - mess ratio (halved when it recognised no language); NULL if not decoded.",
            ),
            _f("compression", STR, "Compression the file was read through (gzip, bz2, xz, zstd) or NULL."),
            _f(
                "format", STR, "Input format the file was split as: text, multinews, multinews_summary (.tgt) or jsonl."
            ),
            _f("n_chars", pa.int64(), "Length of the decoded text in characters (the span universe)."),
            _f("n_articles", pa.int32(), "Records of any kind loaded into `articles` from this file.", False),
            _f("n_quarantined", pa.int32(), "Records of this file held in `quarantine`.", False),
            _f("n_removed_spans", pa.int32(), "Spans of this file removed as boilerplate (`removed_spans`).", False),
            _f(
                "status",
                STR,
                "loaded | skipped (unchanged since last load) | failed (see `error`) | deleted (gone from its "
                "SOURCE at the last run; its records are kept, flagged by this status).",
                False,
            ),
            _f("error", STR, "Why the file failed, one line; NULL unless status = 'failed'."),
            _f("first_run_id", STR, "Run that first saw this file.", False),
            _f("last_run_id", STR, "Last run that saw this file (loaded, skipped or failed it).", False),
            _f("loaded_run_id", STR, "Run whose records of this file are current; NULL if never loaded."),
            _f(
                "collection",
                STR,
                "The SOURCE argument the file was loaded through (a directory or file as its absolute path, a glob "
                "or an s3:// prefix as given): what an analyst tells corpora apart by, never an outlet; NULL for "
                "rows loaded before schema version 5.",
            ),
        ]
    ),
)

ARTICLES = TableSpec(
    name="articles",
    description=(
        "One row per record split out of a source file and accepted by validation: a main article "
        "(kind = 'article') or a related-story teaser block (kind = 'related')."
    ),
    primary_key=("article_id",),
    schema=pa.schema(
        [
            _f("article_id", STR, "Deterministic id: sha256 of source_id, ordinal and content_hash, 16 hex.", False),
            _f("source_id", STR, "The file it came from (`sources.source_id`).", False),
            _f("source_path", STR, "Path of that file, denormalised for convenience.", False),
            _f("ordinal", pa.int32(), "0-based position of the record in its file.", False),
            _f("kind", STR, "'article' for a main article, 'related' for a related-story block.", False),
            _f(
                "kind_reason",
                STR,
                "Why a 'related' record is not an article: "
                + "; ".join(f"'{k}': {v}" for k, v in KIND_REASONS.items())
                + ". NULL for an article, and on rows loaded before schema version 7.",
            ),
            _f(
                "kind_prob",
                pa.float64(),
                "For `kind_reason` 'record_model_junk': the record model's probability that the record is not an "
                "article, at or over its threshold (`corpus_etl/models/RECORDS.md`; the few real articles it "
                "demotes are mostly near the threshold). NULL otherwise.",
            ),
            _f("title", STR, "Headline, normalised; NULL when none was found (an untitled article is an article)."),
            _f(
                "title_source",
                STR,
                "Where `title` came from: 'headline' (a headline line of the text), 'jsonl_field' (the JSONL "
                "record's title field), 'none' (no title found: `title` is NULL). NULL only on rows loaded "
                "before this column existed.",
            ),
            _f(
                "standfirst",
                STR,
                "The one-sentence deck under the headline, if any (also the first paragraph of body); NULL "
                "for a record without a headline.",
            ),
            _f("body", STR, "Normalised text: NFC, clean spaces, paragraphs separated by one blank line.", False),
            _f(
                "language",
                STR,
                "ISO 639-1 code from seeded langdetect, or 'und' when undetectable; a short body (under 200 letters "
                "read) that langdetect gave another language takes the language of its file's long bodies "
                "(`language_reason` 'file_language').",
                False,
            ),
            _f(
                "language_prob",
                pa.float64(),
                "langdetect's probability for `language` (0 for 'und'; for 'file_language', the share of the file's "
                "long bodies' letters in that language).",
                False,
            ),
            _f(
                "language_reason",
                STR,
                "Why the language is 'und' (no_letters, too_short), or 'file_language' (taken from the file's long "
                "bodies, see `language`); NULL otherwise.",
            ),
            _f("authors", LIST_STR, "Authors from bylines and author blocks, in order of appearance.", False),
            _f(
                "outlet",
                STR,
                "The outlet as the page itself names it (`outlet_source` says where): a JSONL outlet field, the "
                'byline\'s outlet ("by X, The Canadian Press"), a wire credit in the dateline ("(AP)"), the owner of '
                'its copyright line ("© 2012 The Associated Press") or a domain masthead; never the file\'s folder '
                "(that is `sources.collection`); NULL when the page names none (`corpus_etl/identity.py`).",
            ),
            _f("dateline", STR, 'Dateline that opens the body ("WATERLOO, Ont."), if any.'),
            _f("tags", LIST_STR, 'Tags from tag lines ("Tag: security blackberry"), lower-cased.', False),
            _f(
                "published_date",
                pa.date32(),
                "Publication date the page states near the headline (`published_date_source` says where); never the "
                "ingest date, never after the file's modification time; NULL when the page states none.",
            ),
            _f(
                "published_time",
                STR,
                "Time of day stated with `published_date`, 24-hour HH:MM on the page's own clock (a zone is not "
                "applied); NULL when none is stated.",
            ),
            _f(
                "published_date_source",
                STR,
                "Where `published_date` came from: date_line (a line stating the date by the headline), updated "
                "(an 'Updated ...' line), byline (a byline with a date), dateline, url (a date in a URL or the "
                "path), jsonl_field; NULL when there is no date (`corpus_etl/dates.py`).",
            ),
            _f("cluster", pa.int32(), "Multi-News cluster (0-based line of the .src file) or JSONL line; else NULL."),
            _f("meta_json", STR, "JSONL input: the object's fields other than the text, as JSON; else NULL."),
            _f("char_start", pa.int64(), "Start of the record's span in the decoded source text (0-based).", False),
            _f("char_end", pa.int64(), "End (exclusive) of the record's span in the decoded source text.", False),
            _f("n_words", pa.int32(), "Words in `body` (whitespace-separated tokens).", False),
            _f("n_paragraphs", pa.int32(), "Paragraphs in `body`.", False),
            _f("content_hash", STR, "sha256 of `body` (UTF-8), 64 hex digits.", False),
            _f("run_id", STR, "Prefect flow-run id of the run that loaded this row.", False),
            _f("ingested_at", TS, "When that run started.", False),
            _f(
                "outlet_source",
                STR,
                "Where `outlet` came from: " + ", ".join(OUTLET_SOURCES) + " ('none': the page names no outlet, "
                "`outlet` is NULL). NULL on rows loaded before schema version 6.",
            ),
            _f(
                "url",
                STR,
                "The page's URL where the record states it: a JSONL URL field, or a line of the text giving the "
                "page's address (a labelled 'URL:'/'Source:'/'Read more:' line, a bare URL line at the top of the "
                "record); a link cited in the body is not it. NULL when not stated.",
            ),
            _f(
                "site",
                STR,
                "The page's site: the host of `url` (lower case, no 'www.'), else a domain the page names as its "
                "copyright owner or masthead ('nbcnews.com'); never the file's folder. NULL when not stated.",
            ),
            _f(
                "site_source",
                STR,
                "Where `site` (and `url`) came from: " + ", ".join(SITE_SOURCES) + "; NULL when there is no site.",
            ),
            _f(
                "may_hold_two_pages",
                pa.bool_(),
                "True when the record likely holds two pages glued together (a page's end and another's start left "
                "inside it: a footer or skip link, a second headline and byline, a page start the page model nearly "
                "split at, with 40+ body "
                "words on both sides: `corpus_etl/glued.py`); false for JSONL and Multi-News records and for related "
                "blocks; NULL on rows loaded before schema version 6.",
            ),
        ]
    ),
)

REMOVED_SPANS = TableSpec(
    name="removed_spans",
    description=(
        "Every span of a source's decoded text that is in no record: web chrome, separators, photo "
        "credits, duplicate titles. Spans with an article_id were cut out of that record's span."
    ),
    primary_key=("source_id", "char_start"),
    schema=pa.schema(
        [
            _f("source_id", STR, "The file (`sources.source_id`).", False),
            _f("char_start", pa.int64(), "Start of the span in the decoded source text.", False),
            _f("char_end", pa.int64(), "End (exclusive) of the span.", False),
            _f("rule", STR, "Name of the rule that removed it (see corpus_etl/rules/boilerplate.toml).", False),
            _f("text", STR, "The removed text as it stood in the source.", False),
            _f("article_id", STR, "Record whose span contains it, or NULL for spans between records."),
            _f("run_id", STR, "Run that recorded it.", False),
        ]
    ),
)

QUARANTINE = TableSpec(
    name="quarantine",
    description=(
        "Records that failed an error-level expectation: the full article row (same columns as "
        "`articles`) plus the expectations it failed. Never dropped; replayable."
    ),
    primary_key=("article_id",),
    schema=pa.schema(
        [
            *ARTICLES.schema,
            _f("failed_expectations", LIST_STR, "Expectations (type:column) the row failed at error level.", False),
            _f("quarantined_at", TS, "When it was quarantined.", False),
        ]
    ),
)

PARAGRAPHS = TableSpec(
    name="paragraphs",
    description=(
        "One row per paragraph of every record (in `articles` or `quarantine`): its text as in `body`, "
        "a hash for finding the same paragraph elsewhere, and its span in the source."
    ),
    primary_key=("article_id", "position"),
    schema=pa.schema(
        [
            _f("article_id", STR, "The record (`articles.article_id` or `quarantine.article_id`).", False),
            _f("source_id", STR, "The file (`sources.source_id`).", False),
            _f("position", pa.int32(), "0-based position of the paragraph in the record's body.", False),
            _f("text", STR, "The normalised paragraph (a paragraph of `body`).", False),
            _f("paragraph_hash", STR, "sha256 of the lower-cased paragraph with spaces collapsed, 16 hex.", False),
            _f("n_words", pa.int32(), "Words in the paragraph.", False),
            _f("char_start", pa.int64(), "Start of the paragraph in the decoded source text.", False),
            _f("char_end", pa.int64(), "End (exclusive) of the paragraph in the decoded source text.", False),
            _f(
                "language",
                STR,
                "The paragraph's own language when the record mixes languages (the record's detection saw a "
                "second language, or a paragraph that hardly uses its language's function words was detected as "
                "another); else NULL.",
            ),
            _f("language_prob", pa.float64(), "Probability of the paragraph's language; NULL when not detected."),
            _f("run_id", STR, "Run that loaded it.", False),
        ]
    ),
)

CLUSTERS = TableSpec(
    name="clusters",
    description="Multi-News clusters: the summary that the .tgt file beside a .src file gives each line.",
    primary_key=("source_id", "cluster"),
    schema=pa.schema(
        [
            _f("source_id", STR, "The .src file (`sources.source_id`).", False),
            _f("cluster", pa.int32(), "0-based line of the .src file (`articles.cluster`).", False),
            _f("summary", STR, "The summary from the .tgt file, NEWLINE_CHAR made a newline.", False),
            _f("summary_path", STR, "Path of the .tgt file.", False),
            _f("run_id", STR, "Run that loaded it.", False),
        ]
    ),
)

LINE_HASHES = TableSpec(
    name="line_hashes",
    description=(
        "The lines of every loaded plain-text file, hashed, with the file's folder: the counts that the learned "
        "boilerplate (rule 'learned_repeat', `corpus_etl/learned.py`) is computed from. A line held by "
        "`learned_min_files` distinct files of one folder is removed from the files of that folder processed later."
    ),
    primary_key=("source_id", "line_hash"),
    schema=pa.schema(
        [
            _f("source_id", STR, "The file (`sources.source_id`).", False),
            _f(
                "folder",
                STR,
                "The folder the file is counted under (its parent directory or URL prefix), what the learned "
                "boilerplate takes for one outlet's pages; not `articles.outlet` (named `outlet` before schema "
                "version 6).",
                False,
            ),
            _f(
                "line_hash",
                STR,
                "sha256 of the line normalised (NFKC, casefolded, a year 1800-2099 as 0000, other figures kept, "
                "punctuation dropped), 16 hex. "
                "Only lines with a letter that are not running text of 8+ words.",
                False,
            ),
            _f("run_id", STR, "Run that loaded it.", False),
        ]
    ),
)

RUNS = TableSpec(
    name="runs",
    description="One row per ingest run, with counts per stage.",
    primary_key=("run_id",),
    schema=pa.schema(
        [
            _f(
                "run_id",
                STR,
                "Prefect flow-run id; a fresh UUID for a run that found every file unchanged and was recorded "
                "without starting Prefect (`corpus-etl ingest`; its `stage_seconds` has `unchanged_check`).",
                False,
            ),
            _f("flow_name", STR, "Prefect flow name.", False),
            _f("started_at", TS, "When the run started.", False),
            _f("finished_at", TS, "When it finished; NULL while running or after a crash."),
            _f("status", STR, "running | completed | failed | crashed (its process died).", False),
            _f("error", STR, "Why the run failed, if it did."),
            _f("sources_requested", STR, "The SOURCE arguments, joined by a newline.", False),
            _f("n_discovered", pa.int32(), "Files found under the SOURCE arguments.", False),
            _f("n_skipped", pa.int32(), "Files unchanged since their last load (not re-processed).", False),
            _f("n_processed", pa.int32(), "Files read and split in this run.", False),
            _f("n_failed", pa.int32(), "Files that could not be read, decoded or split.", False),
            _f(
                "n_deleted",
                pa.int32(),
                "Known files under the SOURCE arguments that no longer exist (flagged 'deleted').",
            ),
            _f("n_records", pa.int32(), "Records split out of the processed files.", False),
            _f("n_loaded", pa.int32(), "Records loaded into `articles`.", False),
            _f("n_quarantined", pa.int32(), "Records put in `quarantine`.", False),
            _f("n_removed_spans", pa.int32(), "Boilerplate spans recorded in `removed_spans`.", False),
            _f("bytes_read", pa.int64(), "Bytes read from processed files.", False),
            _f("seconds", pa.float64(), "Wall time of the run in seconds (from the flow's start to its end)."),
            _f(
                "stage_seconds",
                STR,
                "Seconds per stage as JSON: process (summed over batches and workers), wait (for batches), "
                "validate, load, analytics, export (the part of the Parquet export after the analytics: the "
                "record tables are written while the analytics run).",
            ),
            _f(
                "settings_json",
                STR,
                "The resolved settings of the run, as JSON, with `rules_version` and `boundary_model_version`: "
                "the versions of the boilerplate rules file and of the article-boundary model the run extracted with.",
                False,
            ),
        ]
    ),
)

DQ_RUNS = TableSpec(
    name="dq_runs",
    description="One row per suite validation per batch of a run.",
    primary_key=("run_id", "suite", "batch"),
    schema=pa.schema(
        [
            _f("run_id", STR, "The ingest run.", False),
            _f("suite", STR, "Expectation suite name.", False),
            _f("batch", pa.int32(), "Batch number within the run.", False),
            _f("success", pa.bool_(), "True when every expectation of the suite passed.", False),
            _f("evaluated", pa.int32(), "Expectations evaluated.", False),
            _f("successful", pa.int32(), "Expectations that passed.", False),
            _f("started_at", TS, "When the validation started.", False),
        ]
    ),
)

DQ_RESULTS = TableSpec(
    name="dq_results",
    description="One row per expectation result of every validation (the data-quality history).",
    primary_key=("run_id", "suite", "batch", "expectation_id"),
    schema=pa.schema(
        [
            _f("run_id", STR, "The ingest run.", False),
            _f("suite", STR, "Expectation suite name.", False),
            _f("batch", pa.int32(), "Batch number within the run.", False),
            _f("expectation_id", STR, "Stable id of the expectation: type:column.", False),
            _f("expectation_type", STR, "GX expectation type.", False),
            _f("column", STR, "Column it checks, if any."),
            _f("severity", STR, "error (failing rows go to quarantine) or warning (recorded only).", False),
            _f("success", pa.bool_(), "Whether it passed.", False),
            _f("element_count", pa.int64(), "Rows evaluated."),
            _f("unexpected_count", pa.int64(), "Rows that failed it."),
            _f("unexpected_percent", pa.float64(), "Share of rows that failed it, in percent."),
            _f("observed_value", STR, "Observed value for aggregate expectations, as JSON."),
            _f("unexpected_sample", STR, "Up to 5 unexpected values, as JSON."),
        ]
    ),
)

# --- Analytics (schema version 2): kept up to date by warehouse.analytics.update_analytics after each run.
# Not per-source tables: a row here also depends on other sources' articles (clusters, corpus statistics).

MINHASH_SIGNATURES = TableSpec(
    name="minhash_signatures",
    description=(
        "The MinHash signature of every article taking part in near-duplicate detection (kind = 'article', "
        "at least 20 words): the persisted state of the LSH index, with `lsh_buckets`."
    ),
    primary_key=("article_id",),
    schema=pa.schema(
        [
            _f("article_id", STR, "The article (`articles.article_id`).", False),
            _f("source_id", STR, "Its file (`sources.source_id`).", False),
            _f("content_hash", STR, "`articles.content_hash` when the signature was computed.", False),
            _f("n_shingles", pa.int32(), "Distinct word 5-gram shingles of the body.", False),
            _f("signature", pa.list_(pa.uint32()), "128 MinHash values (datasketch, affine32, seed 1).", False),
            _f("index_version", STR, "Shingling and MinHash parameters; rows of another version are rebuilt.", False),
            _f("run_id", STR, "Run that computed it.", False),
        ]
    ),
)

LSH_BUCKETS = TableSpec(
    name="lsh_buckets",
    description=(
        "LSH band buckets of the MinHash signatures (32 bands of 4 rows): two articles sharing a (band, bucket) "
        "are near-duplicate candidates, verified by their exact shingle Jaccard."
    ),
    primary_key=("band", "bucket", "article_id"),
    schema=pa.schema(
        [
            _f("band", pa.int16(), "Band number, 0-31.", False),
            _f("bucket", pa.int64(), "64-bit hash of the band's 4 MinHash values.", False),
            _f("article_id", STR, "The article (`minhash_signatures.article_id`).", False),
        ]
    ),
)

STORY_CLUSTERS = TableSpec(
    name="story_clusters",
    description=(
        "Syndication clusters: articles whose bodies are the same (content hash) or near-duplicates (word "
        "5-gram Jaccard >= 0.5, found by MinHash LSH), one row per member of a cluster of two or more. "
        "Canonical member: earliest ingested, then longest, then source path and ordinal."
    ),
    primary_key=("article_id",),
    schema=pa.schema(
        [
            _f("cluster_id", STR, "Id of the cluster: the article_id of its canonical member.", False),
            _f("article_id", STR, "The member (`articles.article_id`).", False),
            _f("source_id", STR, "Its file (`sources.source_id`).", False),
            _f("outlet", STR, "`articles.outlet` of the member (the outlet its page names); NULL when none."),
            _f("is_canonical", pa.bool_(), "True for the cluster's canonical member.", False),
            _f("match", STR, "canonical | exact (same content_hash as the canonical) | near.", False),
            _f(
                "similarity",
                pa.float64(),
                "Jaccard of its word 5-gram shingles with the canonical's (1 if exact).",
                False,
            ),
            _f("cluster_size", pa.int32(), "Members in the cluster.", False),
            _f("run_id", STR, "Run that last changed the cluster.", False),
        ]
    ),
)

STORY_MEMBERS = TableSpec(
    name="story_members",
    description=(
        "Event stories: every indexed article (kind = 'article') placed in a story, articles of any outlet on one "
        "news event (TF-IDF cosine of title and body with an earlier article and the story's centroid, single "
        "pass in date order, 7-day window: "
        "`corpus_etl/analytics/events.py`). Not `story_clusters` (copies of one text). Query `v_story_members`."
    ),
    primary_key=("article_id",),
    schema=pa.schema(
        [
            _f("article_id", STR, "The article (`articles.article_id`).", False),
            _f(
                "story_id",
                STR,
                "The story: the article_id of the article that founded it (kept when that article later leaves).",
                False,
            ),
            _f(
                "matched_article_id",
                STR,
                "The earlier article it was most similar to, which put it in the story; NULL for a story's first "
                "article.",
            ),
            _f("similarity", pa.float64(), "TF-IDF cosine with `matched_article_id` (1 for a first article).", False),
            _f("story_version", STR, "Parameters of the linking; rows of another version are placed again.", False),
            _f("run_id", STR, "Run that placed it.", False),
        ]
    ),
)

STORY_TERMS = TableSpec(
    name="story_terms",
    description=(
        "The story linking's index: the weighted terms (top 80 by TF-IDF, L2-normalised) of every placed article, "
        "as computed when it was placed; later articles are compared with these."
    ),
    primary_key=("term", "article_id"),
    schema=pa.schema(
        [
            _f("term", STR, "A term (casefolded word of 3+ letters, no stop word).", False),
            _f("article_id", STR, "The article (`story_members.article_id`).", False),
            _f("weight", pa.float64(), "Its weight in the article's unit vector.", False),
        ]
    ),
)

STORY_CENTROIDS = TableSpec(
    name="story_centroids",
    description=(
        "The story linking's centroids: per story, the sum of its current members' vectors (`story_terms`); an "
        "article joins a story only when it is similar enough to this too."
    ),
    primary_key=("story_id", "term"),
    schema=pa.schema(
        [
            _f("story_id", STR, "The story (`story_members.story_id`).", False),
            _f("term", STR, "A term of a member's vector.", False),
            _f("weight", pa.float64(), "The sum of the members' weights of the term.", False),
        ]
    ),
)

SEARCH_DOCS = TableSpec(
    name="search_docs",
    description="The full-text index's documents: one row per article (kind = 'article') with its length in terms.",
    primary_key=("article_id",),
    schema=pa.schema(
        [
            _f("article_id", STR, "The article (`articles.article_id`).", False),
            _f("source_id", STR, "Its file (`sources.source_id`).", False),
            _f("length", pa.int32(), "Terms in title and body (the BM25 document length).", False),
            _f("index_version", STR, "Tokenizer version; rows of another version are rebuilt.", False),
            _f("run_id", STR, "Run that indexed it.", False),
        ]
    ),
)

SEARCH_TERMS = TableSpec(
    name="search_terms",
    description="The full-text index's postings: one row per distinct term of an indexed article (BM25 in SQL).",
    primary_key=("term", "article_id"),
    schema=pa.schema(
        [
            _f("term", STR, "A term: a casefolded NFKC word (letters and digits).", False),
            _f("article_id", STR, "The article (`search_docs.article_id`).", False),
            _f("tf", pa.int32(), "How many times the term occurs in the title and body.", False),
        ]
    ),
)

# Not a warehouse table: a batch's staging file only. The workers compute every signed article's shingle
# set for its signature anyway; staged, the writer reads the sets it verifies near-duplicates with instead of
# computing them again from the bodies (``warehouse.analytics``). Deleted with the run's staging directory.
STAGED_SHINGLES = TableSpec(
    name="shingles",
    description="Staging only: the sorted, distinct word 5-gram shingle hashes of each signed text of a batch.",
    primary_key=("content_hash",),
    schema=pa.schema(
        [
            _f("content_hash", STR, "`articles.content_hash` of the text.", False),
            _f("hashes", pa.list_(pa.uint64()), "Its shingle hashes (`corpus_etl.analytics.minhash`).", False),
            _f("index_version", STR, "Shingling and MinHash parameters of the hashes.", False),
        ]
    ),
)

TABLES: tuple[TableSpec, ...] = (
    SOURCES,
    ARTICLES,
    PARAGRAPHS,
    REMOVED_SPANS,
    QUARANTINE,
    CLUSTERS,
    LINE_HASHES,
    RUNS,
    DQ_RUNS,
    DQ_RESULTS,
    MINHASH_SIGNATURES,
    LSH_BUCKETS,
    STORY_CLUSTERS,
    SEARCH_DOCS,
    SEARCH_TERMS,
    STORY_MEMBERS,
    STORY_TERMS,
    STORY_CENTROIDS,
)
# The counters a run records in ``runs`` (files and records per stage, bytes read): the flow, the unchanged-run
# path and the benchmark count these.
RUN_COUNTERS: tuple[str, ...] = tuple(c for c in RUNS.columns if c.startswith("n_") or c == "bytes_read")
# Tables whose rows belong to one source file: a file loaded again replaces its rows in all of them.
PER_SOURCE: tuple[TableSpec, ...] = (ARTICLES, PARAGRAPHS, REMOVED_SPANS, CLUSTERS, LINE_HASHES)
BY_NAME = {t.name: t for t in TABLES}


def empty_table(spec: TableSpec) -> pa.Table:
    """An empty Arrow table with the spec's schema."""
    return spec.schema.empty_table()


def to_table(spec: TableSpec, rows: list[dict[str, object]]) -> pa.Table:
    """Build an Arrow table of ``spec`` from row dicts (missing keys become NULL).

    Args:
        spec: the table.
        rows: one dict per row.

    Returns:
        The table, cast to the spec's schema (raises if a value does not fit).
    """
    if not rows:
        return empty_table(spec)
    cols = {name: [r.get(name) for r in rows] for name in spec.columns}
    return pa.Table.from_pydict(cols, schema=spec.schema)


@dataclass(frozen=True)
class ViewSpec:
    """An analyst-facing view (``warehouse/sql/views/<name>.sql``): what one row is, and every column in the
    view's order with its description (``COMMENT ON`` in the catalog, the README's contract; a test checks the
    list against the view DuckDB creates)."""

    name: str
    description: str
    column_descriptions: tuple[tuple[str, str], ...]

    @property
    def columns(self) -> list[str]:
        return [c for c, _ in self.column_descriptions]

    def column_description(self, column: str) -> str:
        return dict(self.column_descriptions)[column]


def _as(table: TableSpec, *columns: str) -> tuple[tuple[str, str], ...]:
    """View columns that are the table's columns unchanged, with the table's descriptions."""
    return tuple((c, table.column_description(c)) for c in columns)


_REMOVED_SHARE_NOTE = "(`removed_spans`, 0-1, 4 decimals)"
_CURRENT = (
    "False when the source file was deleted from its SOURCE (its rows are kept, flagged): filter on it for what "
    "the sources hold now."
)

V_ARTICLES = ViewSpec(
    name="v_articles",
    description=(
        "The articles (kind = 'article') for analysts: collection, site and outlet, the UTC ingest date, the story "
        "cluster, "
        "whether the row is current and quality columns."
    ),
    column_descriptions=(
        *_as(ARTICLES, "article_id", "source_id", "source_path", "ordinal", "title", "standfirst", "body"),
        ("collection", SOURCES.column_description("collection")),
        *_as(ARTICLES, "site", "url", "site_source", "outlet", "outlet_source"),
        *_as(ARTICLES, "authors", "dateline", "tags", "published_date", "published_time", "published_date_source"),
        *_as(ARTICLES, "language", "language_prob", "n_words"),
        *_as(ARTICLES, "n_paragraphs", "content_hash", "run_id", "ingested_at"),
        ("ingest_date", "UTC date of `ingested_at`."),
        ("cluster_id", "Its story cluster (`story_clusters.cluster_id`); NULL when it is in none."),
        ("is_canonical", STORY_CLUSTERS.column_description("is_canonical") + " NULL outside a cluster."),
        ("cluster_match", STORY_CLUSTERS.column_description("match") + " NULL outside a cluster."),
        ("cluster_similarity", STORY_CLUSTERS.column_description("similarity") + " NULL outside a cluster."),
        ("cluster_size", "Members of its story cluster; NULL outside a cluster."),
        ("source_status", "`sources.status` of its file: " + SOURCES.column_description("status")),
        ("is_current", _CURRENT),
        *_as(ARTICLES, "title_source", "may_hold_two_pages"),
        (
            "record_removed_share",
            "Share of the record's span (`char_start`-`char_end`) cut out of it as boilerplate "
            + _REMOVED_SHARE_NOTE
            + ".",
        ),
        (
            "source_removed_share",
            "Share of its source file's characters (`sources.n_chars`) removed as boilerplate, inside and "
            "between records " + _REMOVED_SHARE_NOTE + "; NULL when the file's length is unknown.",
        ),
    ),
)

V_LANGUAGE_MIX = ViewSpec(
    name="v_language_mix",
    description="One row per language of the articles (kind = 'article').",
    column_descriptions=(
        *_as(ARTICLES, "language"),
        ("n_articles", "Articles in the language."),
        ("pct_articles", "Their share of all articles, in percent (2 decimals)."),
        ("n_words", "Words in their bodies."),
        ("mean_language_prob", "Mean of their `language_prob` (3 decimals)."),
        ("n_sources", "Source files they come from."),
    ),
)

V_SOURCE_QUALITY = ViewSpec(
    name="v_source_quality",
    description=(
        "One row per source file: its status and how much of it became clean, titled, language-tagged, unique "
        "articles with an outlet."
    ),
    column_descriptions=(
        *_as(SOURCES, "source_id", "path", "collection", "status", "error", "format", "encoding", "n_chars"),
        *_as(SOURCES, "n_articles", "n_quarantined", "n_removed_spans"),
        ("quarantined_share", "Share of its records held in `quarantine` (3 decimals)."),
        ("record_chars_share", "Share of its characters inside its records in `articles` (3 decimals)."),
        ("removed_chars_share", "Share of its characters removed as boilerplate (`removed_spans`, 3 decimals)."),
        ("n_untitled", "Its articles (kind = 'article') without a title."),
        ("n_language_und", "Its records whose language is 'und'."),
        ("n_duplicates", "Its articles that are non-canonical members of a story cluster (copies)."),
        ("n_article_records", "Its records of kind 'article'."),
        ("n_outlet_none", "Its articles whose page names no outlet (`articles.outlet_source` = 'none')."),
        (
            "outlet_none_share",
            "`n_outlet_none` / `n_article_records` (3 decimals); NULL without articles. Per collection: sum both "
            "by `collection`.",
        ),
        *_as(SOURCES, "loaded_run_id", "last_run_id"),
    ),
)

V_STORY_CLUSTERS = ViewSpec(
    name="v_story_clusters",
    description=(
        "Story clusters (`story_clusters`), one row per member, with the canonical member's title and path beside "
        "each member."
    ),
    column_descriptions=(
        *_as(STORY_CLUSTERS, "cluster_id", "cluster_size"),
        ("canonical_title", "Title of the cluster's canonical member."),
        ("canonical_path", "Source path of the cluster's canonical member."),
        *_as(STORY_CLUSTERS, "article_id"),
        *_as(ARTICLES, "title"),
        *_as(STORY_CLUSTERS, "outlet"),
        *_as(ARTICLES, "source_path"),
        *_as(STORY_CLUSTERS, "is_canonical", "match", "similarity"),
        *_as(ARTICLES, "published_date", "ingested_at", "language", "n_words"),
        ("is_current", _CURRENT),
    ),
)

V_STORY_MEMBERS = ViewSpec(
    name="v_story_members",
    description=(
        "Event stories (`story_members`), one row per current article: its story (articles of any outlet on one "
        "event), the story's size, files, outlets and dates over its current members, and how the article joined. "
        "Join on article_id."
    ),
    column_descriptions=(
        *_as(STORY_MEMBERS, "article_id", "story_id"),
        ("story_size", "Current articles in the story."),
        ("story_sources", "Distinct source files of the story's current articles."),
        (
            "story_outlets",
            "Distinct outlets (`articles.outlet`, NULL ones not counted) of the story's current articles.",
        ),
        ("story_first_date", "Earliest `published_date` of the story's articles; NULL when none states one."),
        ("story_last_date", "Latest `published_date` of the story's articles; NULL when none states one."),
        ("story_first_ingest_date", "UTC date the story's first current article was ingested."),
        ("story_title", "Title of the story's earliest titled article (by date, then path and ordinal)."),
        ("is_story_first", "True for the article that founded the story (`story_id` = `article_id`)."),
        *_as(STORY_MEMBERS, "matched_article_id", "similarity"),
        *_as(ARTICLES, "title", "outlet"),
        *_as(ARTICLES, "source_path", "published_date"),
    ),
)

V_VOLUME_BY_RUN = ViewSpec(
    name="v_volume_by_run",
    description="One row per ingest run: what it read and loaded, how fast, and how many of its rows are current.",
    column_descriptions=(
        *_as(RUNS, "run_id", "started_at", "finished_at", "status", "n_discovered", "n_processed", "n_skipped"),
        *_as(RUNS, "n_failed", "n_records", "n_loaded", "n_quarantined"),
        ("mb_read", "Megabytes (10^6 bytes) read from processed files (`bytes_read`, 3 decimals)."),
        *_as(RUNS, "seconds"),
        ("records_per_second", "Records split out per second of the run's wall time."),
        (
            "n_articles_current",
            "Rows of `articles` still from this run (the rows of a file loaded again belong to the later run).",
        ),
    ),
)

V_WIRE_PARAGRAPHS = ViewSpec(
    name="v_wire_paragraphs",
    description=(
        "Wire copy: one row per paragraph of running text (8+ words ending a sentence, not a list item) of an "
        "article (not a related-story block) that appears (by `paragraph_hash`: case and spacing ignored) in more "
        "than one source file, with the files and outlets that carry it; boilerplate-looking text (rights, "
        "sign-up, cookie, comment and follow notices) and paragraphs a site or outlet repeats on 3+ of its own "
        "pages are left out as chrome."
    ),
    column_descriptions=(
        *_as(PARAGRAPHS, "paragraph_hash"),
        ("text", "The paragraph as in the first file carrying it (by path)."),
        ("n_words", "Words in the paragraph (the most of its copies)."),
        ("n_sources", "Source files carrying it."),
        ("n_articles", "Records carrying it."),
        ("source_paths", "Paths of those files, sorted."),
        ("outlets", "Their outlets (`articles.outlet`; the ones with none left out), sorted."),
    ),
)

# The views an analyst queries (one ``warehouse/sql/views/<name>.sql`` each).
VIEWS: tuple[ViewSpec, ...] = (
    V_ARTICLES,
    V_LANGUAGE_MIX,
    V_SOURCE_QUALITY,
    V_STORY_CLUSTERS,
    V_STORY_MEMBERS,
    V_VOLUME_BY_RUN,
    V_WIRE_PARAGRAPHS,
)


# Not a warehouse table: the one-row frame of batch metrics the 'batches' suite validates (its results
# are kept in dq_results like every other suite's).
BATCH_METRICS = TableSpec(
    name="batch_metrics",
    description="Metrics of one validated batch.",
    primary_key=(),
    schema=pa.schema(
        [
            _f("n_records", pa.int64(), "Records in the batch, before quarantine.", False),
            _f("quarantined_share", pa.float64(), "Share of them that failed an error-level expectation.", False),
            _f("duplicate_share", pa.float64(), "Share whose body repeats an earlier record of the batch.", False),
            _f("und_share", pa.float64(), "Share with language 'und'.", False),
            _f("mean_words", pa.float64(), "Mean body length in words.", False),
        ]
    ),
)
# The table each GX suite validates.
SUITE_TABLES: dict[str, TableSpec] = {"articles": ARTICLES, "sources": SOURCES, "batches": BATCH_METRICS}
