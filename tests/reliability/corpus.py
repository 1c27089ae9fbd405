"""The hostile corpus: every bad input and every hostile text of issue #8, built in one directory.

``build(root)`` writes the files and returns what each should become. The cases that need a change
between discovery and processing (a file deleted, a file appended to) are applied by ``after_discovery``,
which the fixture calls from inside the run (see conftest.py).
"""

from __future__ import annotations

import gzip
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

import zstandard

BODY = (
    "The owners of the small cafe near the station said on Monday that prices had risen again this year. "
    "Many customers noticed the change and some of them wrote to the local council about the rents. "
    "The council said it would publish a report on the shops of the old town before the summer holidays."
)
SCRIPT = "<script>alert('xss')</script>"
IMG = "<img src=x onerror=alert(1)>"
SQL_TITLE = "Robert'); DROP TABLE articles; -- Wins The Vote"
HTML_TITLE = f"{SCRIPT} Council Vote {IMG} Ends In A Tie"
BOILERPLATE = "Skip to main content\nAdvertisement\nShare this article\nRead more\nCopyright © 2024 The Daily Planet\n"
# The longest line taken as a headline is 250 characters (split.is_headline): this one is 246.
LONG_TITLE = " ".join(["Riverton"] + ["Extraordinarily"] * 13 + ["Long", "Headline", "About", "The", "Ferry"])
# A longer headline-like line is no headline: it is removed (and kept) as chrome before the title.
TOO_LONG_TITLE = " ".join(["Extraordinarily"] * 20 + ["Long", "Ferry", "Headline"])
# A title field far past the suite's 300 characters, holding markup: no title, kept in the record's meta_json.
JSONL_LONG_TITLE = " ".join([SCRIPT, IMG, "Ferry"] * 40)
# A title field holding markup that reads like a photo caption: the article is loaded with it and the
# title expectation's warning shows it (escaped) in the reports.
JSONL_MARKUP_TITLE = f"{SCRIPT} Ferry Council {IMG} - Photo"
ESC_NAME = "\x1b[2J\x1b]0;pwned\x07terminal.txt"  # a file name holding terminal control sequences


def article(title: str, body: str = BODY) -> str:
    return f"{title}\n\n{body}\n"


@dataclass(frozen=True)
class Case:
    """What a file of the corpus should become in ``sources`` (None: not checked)."""

    status: str | None  # loaded | failed | None when the file must not be discovered at all
    error: str | None = None  # a substring of sources.error
    encoding: str | None = None
    title: str | None = None  # the title of its first article, exactly
    n_articles: int | None = None
    rules: tuple[str, ...] = ()  # removed-span rules it must have


FIFO = "fifo.txt"
TINY_DIR = "tiny"  # the fixture adds conftest.N_TINY tiny files (one Reuters story each) under it
VANISHES = "vanishes.txt"
GROWS = "grows.txt"
GROWN_TAIL = "\n\nA Late Addition To The Story\n\n" + BODY + "\n"
ODD_NAME = 'it\'s a "quoted" name – café 東京.txt'
HTML_NAME = f"{IMG}.txt"
SQL_NAME = "x'); DROP TABLE sources; --.txt"
TRAVERSAL_NAME = "x..%2F..%2Fescape.txt"
HIDDEN_TRAVERSAL_NAME = "..%2F..%2Fx.txt"  # starts with a dot: a hidden file, not an input


def build(root: Path) -> dict[str, Case]:
    """Write the corpus under ``root`` (created); return the expected outcome by file name."""
    root.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(8)
    cases: dict[str, Case] = {}

    def put(name: str, data: bytes | str, case: Case) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        cases[name] = case

    # --- empty, blank, binary ---------------------------------------------------------------------
    put("empty.txt", b"", Case("loaded", encoding="utf-8", n_articles=0))
    put("whitespace.txt", " \n\n\t \r\n   \n\f\n", Case("loaded", n_articles=0, rules=("whitespace",)))
    put("image.png", b"\x89PNG\r\n\x1a\n" + rnd.randbytes(2000), Case("failed", error="binary file (PNG image)"))
    put("nul.txt", b"Some text\x00with NUL\x00bytes\x01\x02 in it " * 50, Case("failed", error="NUL bytes"))
    put(
        "random.bin",
        rnd.randbytes(8000).replace(b"\x00", b"\x01"),
        Case("failed", error="binary file: mostly control characters"),
    )

    # --- encodings ----------------------------------------------------------------------------------
    quotes = "Café owners say “prices” rose in Zürich"
    put(
        "mixed_utf8.txt",  # UTF-8 with a cp1252 line pasted in: invalid UTF-8, decoded byte by byte
        article(quotes).encode("utf-8") + "A pasted line from an old page: caf\xe9 cr\xe8me.\n".encode("cp1252"),
        Case("loaded", encoding="utf-8+cp1252", title=quotes),
    )
    put("cp1252.txt", article(quotes).encode("cp1252"), Case("loaded", encoding="cp1252", title=quotes))
    latin = "Les élèves de l'école de Genève à Zürich"
    # Latin-1 text without bytes 0x80-0x9F decodes the same as cp1252, which is what is recorded.
    put("latin1.txt", article(latin).encode("latin-1"), Case("loaded", encoding="cp1252", title=latin))
    put(
        "latin1_c1.txt",  # a byte cp1252 leaves undefined: Latin-1, which never fails
        article(latin).encode("latin-1") + b"\x81\n",
        Case("loaded", encoding="latin-1", title=latin),
    )
    put("utf16_bom.txt", article(quotes).encode("utf-16"), Case("loaded", encoding="utf-16", title=quotes))
    put(
        "utf16_truncated.txt",
        article(quotes).encode("utf-16")[:-1],
        Case("failed", error="invalid utf-16"),
    )
    put(
        "utf8_bom.txt",
        b"\xef\xbb\xbf" + article(quotes).encode("utf-8"),
        Case("loaded", encoding="utf-8-sig", title=quotes),
    )
    gz = gzip.compress(article(quotes).encode() * 50)
    put("truncated.txt.gz", gz[: len(gz) // 2], Case("failed", error="corrupt or truncated gzip stream"))
    zs = zstandard.compress(article(quotes).encode() * 50)
    put("truncated.txt.zst", zs[: len(zs) // 2], Case("failed", error="corrupt or truncated zstd stream"))

    # --- files that are not files, or not there ----------------------------------------------------
    os.mkfifo(root / FIFO)
    cases[FIFO] = Case(None)  # skipped at discovery: reading a FIFO would block the run
    os.symlink("loop_b.txt", root / "loop_a.txt")
    os.symlink("loop_a.txt", root / "loop_b.txt")
    cases["loop_a.txt"] = cases["loop_b.txt"] = Case("failed", error="cannot read: Too many levels of symbolic links")
    os.symlink("no-such-target.txt", root / "dangling.txt")
    cases["dangling.txt"] = Case("failed", error="cannot read: No such file or directory")
    put(
        VANISHES, article("A Story That Vanished Before It Was Read"), Case("failed", error="No such file or directory")
    )
    put(GROWS, article("A Story That Grew While Queued"), Case("loaded", n_articles=1))
    put("folder.txt/inside.txt", article("A Story In A Folder Named Like A File"), Case("loaded", n_articles=1))

    # --- long lines, boilerplate, odd names --------------------------------------------------------
    long_line = " ".join(["The council debated the ferry timetable again."] * 25_000)  # ~1.2 MB, one line
    put("long_lines.txt", article(LONG_TITLE, long_line), Case("loaded", title=LONG_TITLE, n_articles=1))
    put(
        "too_long_title.txt",
        article(TOO_LONG_TITLE),
        Case("loaded", n_articles=1, rules=("pre_title_chrome",)),
    )
    put(
        "long_title.jsonl",  # a title field far past the suite's 300 characters: an untitled article, not lost
        json.dumps({"title": JSONL_LONG_TITLE, "text": BODY}) + "\n",
        Case("loaded", n_articles=1),
    )
    put(
        "markup_title.jsonl",  # a caption-like title holding markup: loaded, warned about
        json.dumps({"title": JSONL_MARKUP_TITLE, "text": BODY}) + "\n",
        Case("loaded", n_articles=1, title=JSONL_MARKUP_TITLE),
    )
    put("boilerplate.txt", BOILERPLATE, Case("loaded", n_articles=0, rules=("skip_link",)))
    put(
        ODD_NAME,
        article("A File Name With Quotes And Spaces"),
        Case("loaded", title="A File Name With Quotes And Spaces"),
    )

    # --- hostile text ------------------------------------------------------------------------------
    put(
        "html.txt",
        article(HTML_TITLE, f"{BODY}\n\n{SCRIPT} {IMG} The vote ended in a tie, the clerk said on Monday."),
        Case("loaded", title=HTML_TITLE),
    )
    put(HTML_NAME, article("A File Named Like An Image Tag"), Case("loaded"))
    put("sql.txt", article(SQL_TITLE), Case("loaded", title=SQL_TITLE))
    put(SQL_NAME, article("A File Named Like An SQL Injection"), Case("loaded"))
    put(TRAVERSAL_NAME, article("A File Named Like A Path Traversal"), Case("loaded"))
    put(ESC_NAME, article("A File Named With Terminal Escapes"), Case("loaded"))
    put(HIDDEN_TRAVERSAL_NAME, article("A Hidden File Named Like A Path Traversal"), Case(None))
    put(
        "meta.jsonl",  # fields that look like paths and partition values end up in meta_json only
        json.dumps(
            {
                "text": BODY,
                "title": "Metadata That Looks Like Paths",
                "language": "../../../escape",
                "source_path": "/etc/passwd",
                "path": "../../x.txt",
                "tags": ["../..", "<b>x</b>"],
            }
        )
        + "\n",
        Case("loaded", title="Metadata That Looks Like Paths", n_articles=1),
    )
    return cases


def after_discovery(root: Path) -> None:
    """What happens to the corpus between discovery and processing: one file goes, one grows."""
    (root / VANISHES).unlink()
    with open(root / GROWS, "a", encoding="utf-8") as fh:
        fh.write(GROWN_TAIL)
