"""Reuters and BBC story files: 5-40 stories a file, joined by one or two blank lines, with or without headlines."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from corpora.bbc import bbc_articles
from corpora.glue import Built, GoldArticle, build_concatenation
from corpora.reuters import reuters_articles

JOINS = {"one_blank_line": "\n\n", "two_blank_lines": "\n\n\n"}


@dataclass(frozen=True)
class Story:
    """A Reuters or BBC story: id, title, body, corpus and topic (BBC category)."""

    id: str
    title: str
    body: str
    corpus: str
    topic: str


REUTERS_MIN_WORDS = 40  # the Reuters stories of the kind 'reuters'; 'reuters_every' has the briefs too


def load_stories(root: Path, rng: random.Random, quick: bool) -> dict[str, list[Story]]:
    """BBC stories (duplicates dropped), Reuters stories with a body of 40+ words ('reuters') and every Reuters
    story with a title and a body, the briefs of a few words included ('reuters_every': dividend notices,
    earnings tables; about 12 % of them are under 40 words). 3 .sgm files drawn with ``rng`` when ``quick``."""
    bbc = [Story(i, t, b, "bbc", i.split("/")[0]) for i, _, t, b in bbc_articles(root)[0]]
    every = [Story(i, t, b, "reuters", "reuters") for i, _, t, b in reuters_articles(root, rng, quick, 1)[0]]
    reuters = [s for s in every if len(s.body.split()) >= REUTERS_MIN_WORDS]
    return {"bbc": bbc, "reuters": reuters, "reuters_every": every}


def render_stories(stories: Sequence[Story], join: str, headlines: bool) -> tuple[str, list[GoldArticle]]:
    """One file of stories joined by ``join``: each the title line, a blank line and the body (``headlines``),
    or the body alone."""
    texts = [f"{s.title}\n\n{s.body}" if headlines else s.body for s in stories]
    text, spans = build_concatenation(texts, join)
    golds = [
        GoldArticle(s.id, a, b, a + len(s.title) if headlines else a, s.title if headlines else None, s.body)
        for s, (a, b) in zip(stories, spans, strict=True)
    ]
    return text, golds


# The kinds of story files (``reuters_every`` last: the draws of the others do not depend on it).
KINDS = ("bbc", "bbc_same_topic", "reuters", "reuters_every")
# Kinds reported apart, not pooled into 'all' (one BBC topic a file; Reuters with its briefs).
APART = ("bbc_same_topic", "reuters_every")


def build_story_files(stories: dict[str, list[Story]], n_draws: int, rng: random.Random) -> list[Built]:
    """``n_draws`` draws of 5-40 stories for each kind (``KINDS``: BBC of any topic, BBC of one topic, Reuters,
    Reuters with its briefs), each rendered in the four variants (one/two blank lines x with/without
    headlines) from the same draw."""
    bbc_topics: dict[str, list[Story]] = {}
    for s in stories["bbc"]:
        bbc_topics.setdefault(s.topic, []).append(s)
    out = []
    for kind in KINDS:
        for d in range(n_draws):
            k = rng.randint(5, 40)
            if kind == "bbc_same_topic":
                topic = sorted(bbc_topics)[rng.randrange(len(bbc_topics))]
                draw = rng.sample(bbc_topics[topic], min(k, len(bbc_topics[topic])))
            elif kind == "reuters_every":
                draw = rng.sample(stories[kind], k)
            else:
                draw = rng.sample(stories[kind.split("_")[0]], k)
            for join_name, join in JOINS.items():
                for headlines in (True, False):
                    text, golds = render_stories(draw, join, headlines)
                    variant = f"{'with' if headlines else 'without'}_{join_name}"
                    name = f"stories-{kind}-{d:03d}-{variant}"
                    out.append(Built(name, text, "text", None, golds, {"kind": kind, "variant": variant}))
    return out
