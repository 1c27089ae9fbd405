"""The dev pages with gold bodies (../shared: scrapinghub and dragnet), their sites and site folds, and files of
1-4 pages of one fold glued by a blank line, or of 2-4 pages of one site."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from corpora.glue import Built, GoldArticle, build_concatenation
from corpora.shared import read_text
from corpus_etl.decode import DecodeError
from corpus_etl.linemodel.corpora import site_fold, site_key


def url_site(url: str) -> str:
    """The site (host) of a URL, as ``site_key`` normalises it."""
    return site_key(urlparse(url).netloc or url)


@dataclass(frozen=True)
class Page:
    """One real page: id ("dragnet/NNN", "scrapinghub/<key>"), site, its text, gold body, gold title
    (dragnet titles.json) and comments (dragnet comments/)."""

    id: str
    site: str
    text: str
    gold: str
    title: str | None = None
    comments: str | None = None

    @property
    def fold(self) -> int:
        return site_fold(self.site)


def dragnet_pages(root: Path) -> tuple[list[Page], list[str]]:
    """The dragnet pages with a readable gold body (site from sites.json, title from titles.json, comments),
    and the ids of the pages left out (a gold file that is not text: 5 are truncated UTF-16 saved as UTF-8)."""
    base = root / "corpora" / "dragnet"
    sites = json.loads((base / "sites.json").read_text(encoding="utf-8"))
    titles = json.loads((base / "titles.json").read_text(encoding="utf-8"))
    out, skipped = [], []
    for path in sorted((base / "page_text").glob("*.txt")):
        n = path.stem
        gold_path, com_path = base / "gold" / path.name, base / "comments" / path.name
        try:
            gold = read_text(gold_path)
        except (OSError, DecodeError):
            skipped.append(f"dragnet/{n}")
            continue
        out.append(
            Page(
                f"dragnet/{n}",
                site_key(sites.get(n, f"dragnet-{n}")),
                read_text(path).strip(),
                gold,
                titles[n]["title"] if n in titles else None,
                read_text(com_path) if com_path.exists() else None,
            )
        )
    return out, skipped


def scrapinghub_pages(root: Path) -> list[Page]:
    """The scrapinghub pages (site: the host of the ground truth's url)."""
    base = root / "corpora" / "scrapinghub"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    out = []
    for key in sorted(truth):
        path = base / "page_text" / f"{key}.txt"
        if path.exists():
            out.append(
                Page(
                    f"scrapinghub/{key[:12]}",
                    url_site(truth[key]["url"]),
                    read_text(path).strip(),
                    truth[key]["articleBody"],
                )
            )
    return out


def dev_page_folds(root: Path) -> list[dict[str, Any]]:
    """Every dev page a trained extractor may learn from, with its site and fold, for training with the folds this
    evaluation scores by: ``{"id", "path", "gold_path", "site", "fold"}``, scrapinghub then dragnet, sorted.
    A model for fold ``k`` must be trained and tuned on pages whose fold is not ``k`` only."""
    sh = root / "corpora" / "scrapinghub"
    truth = json.loads((sh / "ground-truth.json").read_text(encoding="utf-8"))
    out = [
        {"id": f"scrapinghub/{k[:12]}", "path": str(sh / "page_text" / f"{k}.txt"), "gold_path": None,
         "site": url_site(v["url"]), "fold": site_fold(url_site(v["url"]))}
        for k, v in sorted(truth.items())
    ]  # fmt: skip
    dn = root / "corpora" / "dragnet"
    sites = json.loads((dn / "sites.json").read_text(encoding="utf-8"))
    for path in sorted((dn / "page_text").glob("*.txt")):
        site = site_key(sites.get(path.stem, f"dragnet-{path.stem}"))
        out.append(
            {"id": f"dragnet/{path.stem}", "path": str(path), "gold_path": str(dn / "gold" / path.name),
             "site": site, "fold": site_fold(site)}
        )  # fmt: skip
    return out


def build_page_files(pages: Sequence[Page], n_files: int, rng: random.Random) -> list[Built]:
    """``n_files`` files of 1-4 pages (a quarter of the files each), the pages of a file drawn from one site
    fold (so a file can be scored by one fold's model), joined by a blank line."""
    by_fold: dict[int, list[Page]] = {}
    for p in pages:
        by_fold.setdefault(p.fold, []).append(p)
    folds = sorted(by_fold)
    out = []
    for i in range(n_files):
        k = 1 + i % 4
        fold = folds[rng.randrange(len(folds))]
        chosen = rng.sample(by_fold[fold], k)
        text, spans = build_concatenation([p.text for p in chosen], "\n\n")
        golds = [GoldArticle(p.id, s, e, s, p.title, p.gold) for p, (s, e) in zip(chosen, spans, strict=True)]
        out.append(Built(f"pages-{i:04d}-{k}p", text, "text", fold, golds, {"pages": k}))
    return out


def build_site_files(pages: Sequence[Page], n_files: int, rng: random.Random) -> list[Built]:
    """``n_files`` files of 2-4 pages of one site (a third of the files each, fewer when the site has fewer
    pages), joined by a blank line: a folder of one outlet's pages, each under the same header and footer. Sites
    with two pages or more only; a site's pages are all in its fold."""
    by_site: dict[str, list[Page]] = {}
    for p in pages:
        by_site.setdefault(p.site, []).append(p)
    sites = sorted(s for s, ps in by_site.items() if len(ps) >= 2)
    out: list[Built] = []
    for i in range(n_files if sites else 0):
        site = sites[rng.randrange(len(sites))]
        k = min(len(by_site[site]), 2 + i % 3)
        chosen = rng.sample(by_site[site], k)
        text, spans = build_concatenation([p.text for p in chosen], "\n\n")
        golds = [GoldArticle(p.id, s, e, s, p.title, p.gold) for p, (s, e) in zip(chosen, spans, strict=True)]
        out.append(Built(f"site-{i:04d}-{k}p", text, "text", chosen[0].fold, golds, {"pages": k, "site": site}))
    return out
