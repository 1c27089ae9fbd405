"""The BBC News corpus (../shared): its article files, byte-identical duplicates dropped."""

from __future__ import annotations

import hashlib
from pathlib import Path

from corpus_etl.decode import decode_bytes


def bbc_files(root: Path) -> list[Path]:
    """The BBC article files (``corpora/bbc_news/bbc/<topic>/*.txt``), sorted."""
    return sorted((root / "corpora" / "bbc_news" / "bbc").glob("*/*.txt"))


def _text(data: bytes) -> str:
    return decode_bytes(data).text.replace("\r\n", "\n").strip()


def read_bbc(path: Path) -> tuple[str, str]:
    """``(title, body)`` of a BBC file: its first line and the rest."""
    title, _, body = _text(path.read_bytes()).partition("\n")
    return title.strip(), body.strip()


def bbc_articles(root: Path) -> tuple[list[tuple[str, str, str, str]], int]:
    """``(id, text, title, body)`` of the BBC files, byte-identical duplicates dropped; and how many were."""
    seen: set[str] = set()
    out = []
    dropped = 0
    for path in bbc_files(root):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            dropped += 1
            continue
        seen.add(digest)
        text = _text(data)
        title, _, body = text.partition("\n")
        out.append((f"{path.parent.name}/{path.stem}", text, title.strip(), body.strip()))
    return out, dropped
