"""Pages with gold of ../shared for training and measuring the line model (dragnet, scrapinghub).

Reads files; used by ``train.py`` and the evaluation, never by the splitter.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..decode import decode_bytes


@dataclass(frozen=True)
class GoldPage:
    """One page: where it comes from, its site (for folds by site and repeat counts), text and gold."""

    corpus: str  # 'dragnet' | 'scrapinghub'
    key: str
    site: str  # host without "www.": folds keep a site's pages of both corpora together

    text: str
    body: str
    comments: str | None
    title: str | None

    @property
    def collection(self) -> str:
        """The folder the page's repeat counts are taken in: its site within its corpus."""
        return f"{self.corpus}:{self.site}"


# Folds by site: the same for training (``train.py``) and for the dev evaluation (``eval.realistic``), so a
# page is scored only by a model trained without its site's pages.
K_FOLDS = 5


def site_key(site: str) -> str:
    """A site as folds see it: lower case, no ``www.`` and no port."""
    host = site.strip().lower().split(":")[0]
    return host.removeprefix("www.")


def site_fold(site: str, k: int = K_FOLDS) -> int:
    """The fold (0..k-1) of a site: the first 8 bytes of sha256(site_key) modulo ``k``; deterministic, and every
    page of a site is in the same fold."""
    return int.from_bytes(hashlib.sha256(site_key(site).encode("utf-8")).digest()[:8], "big") % k


def _site_of_url(url: str) -> str:
    return site_key(urlsplit(url).netloc or url)


def load_dragnet(root: Path) -> list[GoldPage]:
    """The dragnet pages with a gold body (``corpora/dragnet``), in key order; a page without a site in
    ``sites.json`` is its own site."""
    base = root / "corpora" / "dragnet"
    sites = json.loads((base / "sites.json").read_text(encoding="utf-8"))
    titles = json.loads((base / "titles.json").read_text(encoding="utf-8"))
    pages = []
    for path in sorted((base / "page_text").glob("*.txt"), key=lambda p: (len(p.stem), p.stem)):
        key = path.stem
        gold = base / "gold" / path.name
        if not gold.exists():
            continue
        body = gold.read_text(encoding="utf-8", errors="replace")
        if not body.strip():
            continue
        comments_path = base / "comments" / path.name
        comments = comments_path.read_text(encoding="utf-8", errors="replace") if comments_path.exists() else None
        pages.append(
            GoldPage(
                "dragnet",
                key,
                site_key(sites.get(key, f"dragnet-{key}")),
                decode_bytes(path.read_bytes()).text,
                body,
                comments,
                titles.get(key, {}).get("title"),
            )
        )
    return pages


def load_scrapinghub(root: Path) -> list[GoldPage]:
    """The scrapinghub pages with a non-empty ``articleBody``, in key order; the site is the url's host."""
    base = root / "corpora" / "scrapinghub"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for path in sorted((base / "page_text").glob("*.txt")):
        item = truth.get(path.stem, {})
        body = item.get("articleBody") or ""
        if not body.strip():
            continue
        pages.append(
            GoldPage(
                "scrapinghub",
                path.stem,
                _site_of_url(item.get("url", path.stem)),
                decode_bytes(path.read_bytes()).text,
                body,
                None,
                None,
            )
        )
    return pages
