"""The stories of a generated corpus as its warehouse holds them (``story_ledger``): by file style, the gold stories
against the article records, and where the words of the stories' bodies went (``articles`` rows of kind 'article',
'related' rows, ``quarantine``, or none of them: removed spans). An analyst's view of the run: a story whose rows the
splitter removed is found in the record count but not in the words."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

from corpora.generated import StoryPool, generate_corpus

_TOKEN = re.compile(r"\w+")
PLACES = ("article", "related", "quarantine")


def tokens(text: str) -> Counter[str]:
    """The lower-cased word tokens of ``text`` as a multiset."""
    return Counter(t.lower() for t in _TOKEN.findall(text))


def place_words(gold: Counter[str], rows: dict[str, Counter[str]]) -> dict[str, int]:
    """How many of the ``gold`` tokens each place holds, taken in the order of ``PLACES`` (a token counted in
    'article' is not counted again in 'related'), and 'removed': the gold tokens no place holds."""
    left = gold.copy()
    out: dict[str, int] = {}
    for place in PLACES:
        got = left & rows.get(place, Counter())
        out[place] = sum(got.values())
        left -= got
    out["removed"] = sum(left.values())
    return out


def story_ledger(pool: StoryPool, manifest: dict[str, Any], corpus_dir: Path, db: Path) -> dict[str, Any]:
    """The ledger of the corpus ``manifest`` describes (its files in ``corpus_dir``) in the warehouse database ``db``.

    The gold is the corpus regenerated from ``pool`` with the manifest's key (the generator is deterministic; each
    regenerated file's sha256 is checked against the manifest, and the ledger is refused on a mismatch). Words are
    counted per file as bags of lower-cased tokens: a body token counts as found in the first place holding it
    (``place_words``), so a word the file prints in two stories may be found in the other's row.

    Returns:
        ``{"by_style": {style: {"files", "gold_stories", "article_records", "quarantined_records", "gold_words",
        "words_in": {place: share}}}}``, or ``{"error": reason}``.
    """
    import duckdb

    key = manifest["key"]
    sha = {f["name"]: f["sha256"] for f in manifest["files"]}
    con = duckdb.connect(str(db), read_only=True)
    by_style: dict[str, dict[str, Any]] = {}
    try:
        for f in generate_corpus(
            pool.stories, key["target_bytes"], key["seed"], key["min_file_bytes"], key["max_file_bytes"]
        ):
            if hashlib.sha256(f.data).hexdigest() != sha.get(f.name):
                return {"error": f"{f.name}: the regenerated file differs from the corpus's"}
            path = str((corpus_dir / f.name).resolve())
            rows: dict[str, Counter[str]] = {place: Counter() for place in PLACES}
            n_articles = 0
            for kind, body in con.execute("select kind, body from articles where source_path = ?", [path]).fetchall():
                rows["article" if kind == "article" else "related"].update(tokens(body or ""))
                n_articles += kind == "article"
            quarantined = con.execute("select body from quarantine where source_path = ?", [path]).fetchall()
            for (body,) in quarantined:
                rows["quarantine"].update(tokens(body or ""))
            gold = Counter[str]()
            for body in f.bodies:
                gold.update(tokens(body))
            s = by_style.setdefault(
                f.style,
                {"files": 0, "gold_stories": 0, "article_records": 0, "quarantined_records": 0, "words": Counter()},
            )
            s["files"] += 1
            s["gold_stories"] += len(f.bodies)
            s["article_records"] += n_articles
            s["quarantined_records"] += len(quarantined)
            s["words"].update(place_words(gold, rows) | {"gold": sum(gold.values())})
    finally:
        con.close()
    out: dict[str, Any] = {}
    for style, s in sorted(by_style.items()):
        words = s.pop("words")
        total = words["gold"] or 1
        s["gold_words"] = words["gold"]
        s["words_in"] = {place: round(words[place] / total, 4) for place in (*PLACES, "removed")}
        out[style] = s
    return {"by_style": out}
