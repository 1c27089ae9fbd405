"""Benchmark the ingest at scale: reproducible corpora, the real CLI, and the floors it should approach.

Run from the repository root: ``python -m bench.run`` (50 MB and 200 MB corpora), ``--size 50`` for one
size, ``--with-1gb`` to add a 1 GB corpus, ``--quick`` for a 5 MB smoke test (results go to
``bench/out/quick/``). Writes ``bench/RESULTS.json`` and ``bench/RESULTS.md``; see ``bench/README.md``.

For every size: build (or reuse) the corpus under ``bench/out/corpus-<size>mb/``; run
``corpus-etl ingest <corpus> --warehouse bench/out/wh-<size> --quiet`` as a subprocess into a fresh
warehouse and again on the unchanged corpus, measuring wall time, peak RSS of the process tree and CPU;
read the run's counts from the warehouse and its per-task times from the Prefect API database; then
measure the floors on the same files: split + hash + Parquet alone, and language detection alone, on 1
and 2 processes. The fixed cost (the CLI on a one-file corpus, imports) and a naive pandas + langdetect
baseline are measured once. MB means 10**6 bytes throughout.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import multiprocessing
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.procfs import status_kb
from corpora.reuters import parse_reuters as reuters_records
from corpus_etl.schema import RUN_COUNTERS

SEED = 20261122
BUILDER_VERSION = 1  # bump when the corpus builder changes: existing corpora are rebuilt
MB = 1_000_000
MIB = 1 << 20
MIN_FILE_BYTES = 2_000
MAX_FILE_BYTES = 2_000_000
DEFAULT_SIZES = (50.0, 200.0)
QUICK_SIZE = 10.0
ONE_GB = 1000.0
NAIVE_SIZE = 50.0
WORKERS = 2
POLL_SECONDS = 0.2
LANG_CHUNK = 200  # texts per task of the 2-process language-detection floor
MIN_STORY_WORDS = 10

STYLES = ("plain", "separator", "chrome")
SEPARATOR_LINES = ("-----", "|||||")
CHROME_PAGE_START = ("Skip to main content", "Skip to content")
CHROME_AD = ("Story continues below advertisement", "Advertisement")
CHROME_TAGS = ("Tag: markets", "Tags: economy, trade", "Tag: politics", "Tags: technology, business", "Tag: sport")
CHROME_READ_MORE = ("Read more", "Continue reading")
CHROME_COPYRIGHT = ("Copyright © 2024 Example News", "© 2024 Example News. All rights reserved.")

TARGETS = {
    "throughput_vs_lang_floor": 0.70,  # product MB/s over the 2-process language-detection floor's MB/s
    "speedup_vs_naive": 2.0,  # product MB/s over the naive pandas + langdetect baseline's MB/s
    "rerun_vs_first": 0.02,  # wall time of the rerun on the unchanged corpus over the first run
    "peak_rss_bytes": 1 << 30,  # peak RSS of the process tree, and flat from 50 MB to 1 GB
}

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT = BENCH_DIR / "out"
PREFECT_HOME = OUT / "prefect-home"
GNU_TIME = Path("/usr/bin/time")

Log = Callable[[str], None]


class BenchError(RuntimeError):
    """A measured command failed; the message says which and why."""


def shared_dir() -> Path:
    """The shared corpora directory: ``$CORPUS_ETL_SHARED`` or ``<repo>/../shared``."""
    env = os.environ.get("CORPUS_ETL_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


def log_stderr(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ==================================================================================================
# Source stories (Reuters-21578 and BBC News, read from ../shared/corpora)


@dataclass(frozen=True)
class Story:
    """One real article: an id naming where it came from, its title and its body paragraphs."""

    sid: str
    title: str
    paragraphs: tuple[str, ...]


_BLANK = re.compile(r"\n[ \t]*\n")


def parse_reuters(sgml: str, name: str = "") -> list[Story]:
    """The stories of one ``reut2-NNN.sgm`` text (decoded as Latin-1) that have a TITLE and a BODY.

    Parsed by ``corpora.reuters.parse_reuters``, as the eval does (DATELINE + BODY as on the wire, entities
    unescaped, ``\\x03`` and the trailing "Reuter" sign-off removed, paragraphs separated by a blank line).
    Stories of fewer than ``MIN_STORY_WORDS`` words are left out.
    """
    out: list[Story] = []
    for newid, title, body in reuters_records(sgml):
        paragraphs = body.split("\n\n")
        if sum(len(p.split()) for p in paragraphs) >= MIN_STORY_WORDS:
            out.append(Story(f"reuters/{name}#{newid}", title, tuple(paragraphs)))
    return out


def reuters_stories(shared: Path) -> list[Story]:
    """All usable stories of the 22 Reuters-21578 ``.sgm`` files, in file order."""
    out: list[Story] = []
    for path in sorted((shared / "corpora" / "reuters21578").glob("reut2-*.sgm")):
        out.extend(parse_reuters(path.read_bytes().decode("latin-1"), path.stem))
    return out


def bbc_stories(shared: Path) -> tuple[list[Story], int]:
    """The BBC articles (line 1 = title), byte-identical duplicate files dropped; and how many were."""
    from corpus_etl.decode import decode_bytes

    seen: set[str] = set()
    out: list[Story] = []
    dropped = 0
    for path in sorted((shared / "corpora" / "bbc_news" / "bbc").glob("*/*.txt")):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            dropped += 1
            continue
        seen.add(digest)
        text = decode_bytes(data).text.replace("\r\n", "\n").strip()
        title, _, body = text.partition("\n")
        paragraphs = tuple(p.strip() for p in _BLANK.split(body.strip()) if p.strip())
        if title.strip() and paragraphs:
            out.append(Story(f"bbc/{path.parent.name}/{path.stem}", title.strip(), paragraphs))
    return out, dropped


@dataclass
class StoryPool:
    """The stories a corpus is built from, with where they came from."""

    stories: list[Story]
    fingerprint: str  # sha256 of the input files' names and sizes: a changed input rebuilds the corpora
    facts: dict[str, Any]


def load_stories(shared: Path) -> StoryPool:
    """Read Reuters and BBC stories from ``shared/corpora`` (and their PROVENANCE.txt)."""
    corpora = shared / "corpora"
    reuters = reuters_stories(shared)
    bbc, dropped = bbc_stories(shared)
    inputs = sorted([*(corpora / "reuters21578").glob("reut2-*.sgm"), *(corpora / "bbc_news" / "bbc").glob("*/*.txt")])
    digest = hashlib.sha256()
    for p in inputs:
        digest.update(f"{p.relative_to(corpora)}\t{p.stat().st_size}\n".encode())
    provenance = {}
    for name in ("reuters21578", "bbc_news"):
        prov = corpora / name / "PROVENANCE.txt"
        if prov.is_file():
            provenance[name] = prov.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    facts = {
        "reuters_stories": len(reuters),
        "bbc_articles": len(bbc),
        "bbc_duplicates_dropped": dropped,
        "pool_bytes": sum(len(s.title) + sum(len(p) + 2 for p in s.paragraphs) for s in [*reuters, *bbc]),
        "provenance": provenance,
    }
    return StoryPool([*reuters, *bbc], digest.hexdigest()[:16], facts)


# ==================================================================================================
# Corpus builder (pure and deterministic: the same stories and seed give the same bytes)


@dataclass
class CorpusFile:
    """One generated file and what went into it."""

    name: str  # relative path inside the corpus directory
    data: bytes
    style: str  # plain | separator | chrome
    separator: str | None
    article_keys: list[bytes] = field(default_factory=list)  # digest of each article's title + body
    story_ids: list[str] = field(default_factory=list)


class _Deck:
    """Deals story indexes: every story once per pass, each pass in a new random order."""

    def __init__(self, n: int, rng: random.Random) -> None:
        self.n = n
        self.rng = rng
        self.order: list[int] = []
        self.passes = 0

    def draw(self) -> tuple[int, int]:
        """The next story index and the pass it belongs to (0 = first time the story is dealt)."""
        if not self.order:
            self.order = list(range(self.n))
            self.rng.shuffle(self.order)
            self.passes += 1
        return self.order.pop(), self.passes - 1


def variant_paragraphs(paragraphs: tuple[str, ...], pass_no: int, rng: random.Random) -> tuple[str, ...]:
    """The paragraphs of one appearance of a story: the whole story the first time; later, with three or
    more paragraphs, the whole story or the story without one paragraph (chosen at random)."""
    if pass_no == 0 or len(paragraphs) < 3:
        return paragraphs
    drop = rng.randrange(-1, len(paragraphs))
    return paragraphs if drop < 0 else paragraphs[:drop] + paragraphs[drop + 1 :]


def render_article(title: str, paragraphs: Sequence[str], style: str, rng: random.Random) -> tuple[str, str]:
    """The article as it appears in a file of ``style``, and its core text (title and body, no chrome).

    A chrome page opens with a skip link, may carry an advertisement line between two paragraphs, and
    may end with a tag line, a "Read more" line and a copyright line (blocks separated by blank lines).
    """
    core = title + "\n\n" + "\n\n".join(paragraphs)
    if style != "chrome":
        return core, core
    blocks = [rng.choice(CHROME_PAGE_START), title]
    body = list(paragraphs)
    if len(body) >= 2 and rng.random() < 0.7:
        body.insert(rng.randint(1, len(body) - 1), rng.choice(CHROME_AD))
    blocks.extend(body)
    if rng.random() < 0.6:
        blocks.append(rng.choice(CHROME_TAGS))
    if rng.random() < 0.5:
        blocks.append(rng.choice(CHROME_READ_MORE))
    if rng.random() < 0.7:
        blocks.append(rng.choice(CHROME_COPYRIGHT))
    return "\n\n".join(blocks), core


def generate_corpus(
    stories: Sequence[Story],
    total_bytes: int,
    seed: int = SEED,
    min_file: int = MIN_FILE_BYTES,
    max_file: int = MAX_FILE_BYTES,
) -> Iterator[CorpusFile]:
    """Generate files until they hold ``total_bytes`` bytes (UTF-8).

    Each file gets a size drawn log-uniformly from ``[min_file, max_file]`` (capped by what is left),
    a style in turn (plain: articles joined by a blank line; separator: joined by a ``-----`` or
    ``|||||`` line, one kind per file; chrome: every article a web page with chrome lines), and the next
    stories from the deck until it reaches its size. Stories repeat once the pool is used up, in a new
    order and grouping each pass, and from the second pass on a long story may lose one paragraph.
    """
    if not stories:
        raise ValueError("no stories to build a corpus from")
    rng = random.Random(seed)
    deck = _Deck(len(stories), rng)
    lo, hi = math.log(min_file), math.log(max_file)
    first_style = rng.randrange(len(STYLES))
    produced = 0
    index = 0
    while produced < total_bytes:
        target = max(min_file, min(int(math.exp(rng.uniform(lo, hi))), total_bytes - produced))
        style = STYLES[(first_style + index) % len(STYLES)]
        separator = rng.choice(SEPARATOR_LINES) if style == "separator" else None
        joiner = f"\n\n{separator}\n\n" if separator else "\n\n"
        out = CorpusFile(f"p{index // 100:03d}/f{index:05d}.txt", b"", style, separator)
        pieces: list[str] = []
        size = 1  # the final newline
        while not pieces or size < target:
            k, pass_no = deck.draw()
            story = stories[k]
            text, core = render_article(story.title, variant_paragraphs(story.paragraphs, pass_no, rng), style, rng)
            size += len(text.encode("utf-8")) + (len(joiner) if pieces else 0)
            pieces.append(text)
            out.article_keys.append(hashlib.blake2b(core.encode("utf-8"), digest_size=8).digest())
            out.story_ids.append(story.sid)
        out.data = (joiner.join(pieces) + "\n").encode("utf-8")
        produced += len(out.data)
        index += 1
        yield out


def size_label(size_mb: float) -> str:
    return f"{size_mb:g}mb"


def corpus_key(size_mb: float, seed: int, fingerprint: str, min_file: int, max_file: int) -> dict[str, Any]:
    """What a corpus depends on: the same key means the same files."""
    return {
        "builder_version": BUILDER_VERSION,
        "seed": seed,
        "size_mb": size_mb,
        "target_bytes": int(size_mb * MB),
        "min_file_bytes": min_file,
        "max_file_bytes": max_file,
        "sources_fingerprint": fingerprint,
    }


def _file_list_sha256(files: Iterable[dict[str, Any]]) -> str:
    listing = "".join(f"{f['name']}\t{f['bytes']}\t{f['sha256']}\n" for f in files)
    return hashlib.sha256(listing.encode()).hexdigest()


def _intact(dest: Path, manifest: dict[str, Any]) -> bool:
    """True when ``dest`` holds exactly the manifest's files, with their sizes and hashes."""
    files = manifest.get("files") or []
    on_disk = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file() and not p.name.startswith("."))
    if on_disk != sorted(f["name"] for f in files):
        return False
    for f in files:
        p = dest / f["name"]
        if p.stat().st_size != f["bytes"] or hashlib.sha256(p.read_bytes()).hexdigest() != f["sha256"]:
            return False
    return _file_list_sha256(files) == manifest.get("file_list_sha256")


def build_corpus(
    dest: Path,
    size_mb: float,
    pool: StoryPool,
    seed: int = SEED,
    min_file: int = MIN_FILE_BYTES,
    max_file: int = MAX_FILE_BYTES,
    log: Log | None = None,
) -> dict[str, Any]:
    """Build the corpus in ``dest`` (or reuse it when its manifest has the same key and its files are intact).

    The manifest is ``dest/.manifest.json`` (hidden, so the ingest does not read it) and holds no time:
    two builds with the same inputs write the same manifest.

    Returns:
        The manifest, plus ``reused`` and ``build_seconds`` (not stored in the file).
    """
    key = corpus_key(size_mb, seed, pool.fingerprint, min_file, max_file)
    total = int(size_mb * MB)
    return write_corpus(
        dest, key, lambda: generate_corpus(pool.stories, total, seed, min_file, max_file), len(pool.stories), log
    )


def write_corpus(
    dest: Path,
    key: dict[str, Any],
    generate: Callable[[], Iterable[CorpusFile]],
    n_pool_stories: int,
    log: Log | None = None,
) -> dict[str, Any]:
    """Write the files ``generate()`` yields into ``dest`` with a manifest holding ``key`` (or reuse ``dest``
    when its manifest has the same key and its files are intact). Shared by ``build_corpus`` and the peers'
    corpus (``bench/peers.py``).

    Returns:
        The manifest, plus ``reused`` and ``build_seconds`` (not stored in the file).
    """
    manifest_path = dest / ".manifest.json"
    if manifest_path.is_file():
        try:
            old = json.loads(manifest_path.read_text())
        except ValueError:
            old = None
        if old and old.get("key") == key and _intact(dest, old):
            if log:
                log(f"corpus {dest.name}: reused ({old['n_files']} files, {old['total_bytes'] / MB:.1f} MB)")
            return {**old, "reused": True, "build_seconds": 0.0}
    t0 = time.perf_counter()
    tmp = dest.with_name(dest.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    files: list[dict[str, Any]] = []
    distinct: set[bytes] = set()
    used: set[str] = set()
    styles: Counter[str] = Counter()
    n_articles = 0
    for f in generate():
        path = tmp / f.name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(f.data)
        files.append(
            {
                "name": f.name,
                "bytes": len(f.data),
                "sha256": hashlib.sha256(f.data).hexdigest(),
                "style": f.style,
                "separator": f.separator,
                "articles": len(f.article_keys),
            }
        )
        distinct.update(f.article_keys)
        used.update(f.story_ids)
        styles[f.style] += 1
        n_articles += len(f.article_keys)
    sizes = sorted(f["bytes"] for f in files)
    manifest = {
        "key": key,
        "n_files": len(files),
        "total_bytes": sum(sizes),
        "file_bytes_min": sizes[0],
        "file_bytes_median": sizes[len(sizes) // 2],
        "file_bytes_max": sizes[-1],
        "n_articles": n_articles,
        "n_distinct_article_texts": len(distinct),
        "n_distinct_stories": len(used),
        "n_pool_stories": n_pool_stories,
        "files_by_style": dict(sorted(styles.items())),
        "file_list_sha256": _file_list_sha256(files),
        "files": files,
    }
    (tmp / ".manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    secs = time.perf_counter() - t0
    if log:
        log(
            f"corpus {dest.name}: built {len(files)} files, {sum(sizes) / MB:.1f} MB, "
            f"{n_articles} articles in {secs:.1f} s"
        )
    return {**manifest, "reused": False, "build_seconds": round(secs, 2)}


def corpus_paths(dest: Path, manifest: dict[str, Any]) -> list[str]:
    """Absolute paths of the corpus files, in name order (the order the ingest processes them)."""
    return [str((dest / f["name"]).resolve()) for f in sorted(manifest["files"], key=lambda f: f["name"])]


# ==================================================================================================
# Measuring a command: wall time, peak RSS/PSS of its process tree (polled in /proc), CPU


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, utime + stime in clock ticks) of every process."""
    out: dict[int, tuple[int, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                raw = fh.read()
        except OSError:
            continue
        rest = raw[raw.rfind(b")") + 2 :].split()
        out[int(name)] = (int(rest[1]), int(rest[11]) + int(rest[12]))
    return out


def _role(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "gone"
    if "uvicorn" in cmd or "prefect.server" in cmd:
        return "prefect_server"
    if "resource_tracker" in cmd:
        return "resource_tracker"
    if "multiprocessing" in cmd:
        return "worker"
    if "corpus-etl" in cmd or "corpus_etl" in cmd:
        return "flow"
    return "other"


def _system_busy_seconds() -> float:
    with open("/proc/stat") as fh:
        vals = [int(v) for v in fh.readline().split()[1:9]]
    return (sum(vals) - vals[3] - vals[4]) / os.sysconf("SC_CLK_TCK")


def _loadavg() -> list[float]:
    with open("/proc/loadavg") as fh:
        return [float(v) for v in fh.read().split()[:3]]


def _cpu_seconds(pids: Iterable[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                rest = fh.read().rsplit(b")", 1)[1].split()
            ticks += int(rest[11]) + int(rest[12])
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


class Clock:
    """Times a block in this process (and its pool's workers): wall seconds, their CPU seconds, and the
    cores that other processes on the machine kept busy meanwhile (a measure of the noise)."""

    def __init__(self, pool: ProcessPoolExecutor | None = None) -> None:
        workers = getattr(pool, "_processes", None) or {}
        self.pids = [os.getpid(), *workers]
        self.seconds = 0.0
        self.cpu_s = 0.0
        self.other_cpu_cores = 0.0

    def __enter__(self) -> Clock:
        self.busy0 = _system_busy_seconds()
        self.cpu0 = _cpu_seconds(self.pids)
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0
        self.cpu_s = _cpu_seconds(self.pids) - self.cpu0
        busy = _system_busy_seconds() - self.busy0
        self.other_cpu_cores = max(0.0, busy - self.cpu_s) / self.seconds if self.seconds else 0.0

    def facts(self) -> dict[str, float]:
        return {
            "seconds": round(self.seconds, 2),
            "cpu_s": round(self.cpu_s, 2),
            "other_cpu_cores": round(self.other_cpu_cores, 2),
        }


class TreeSampler(threading.Thread):
    """Polls the process tree under ``root`` every ``interval`` seconds: RSS and PSS sums, their peaks.

    Costs a few ms of CPU a sample (a scan of /proc/*/stat, the tree's /proc/PID/status), about 2 % of a core."""

    def __init__(self, root: int, interval: float = POLL_SECONDS, skip_root: bool = False) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.skip_root = skip_root
        self.halt = threading.Event()
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self.pss_checked_rss_kb = 0
        self.peak_breakdown: dict[str, int] = {}
        self.peak_processes = 0
        self.max_processes = 0
        self.samples = 0
        self.cpu_ticks: dict[int, int] = {}
        self.roles: dict[int, str] = {}
        self.timeline: list[tuple[float, int, dict[str, int]]] = []
        self.t0 = time.perf_counter()

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(self.interval)

    def sample(self) -> None:
        table = _proc_table()
        kids: dict[int, list[int]] = {}
        for pid, (ppid, _) in table.items():
            kids.setdefault(ppid, []).append(pid)
        tree: list[int] = []
        todo = [self.root]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(kids.get(pid, []))
        if self.skip_root:
            tree = [p for p in tree if p != self.root]
        tree = [pid for pid in tree if pid in table]
        rss = 0
        breakdown: Counter[str] = Counter()
        for pid in tree:
            self.cpu_ticks[pid] = table[pid][1]
            if pid not in self.roles:
                self.roles[pid] = _role(pid)
            r = status_kb(pid, "status", b"VmRSS:")
            rss += r
            breakdown[self.roles[pid]] += r
        self.samples += 1
        self.max_processes = max(self.max_processes, len(tree))
        new_peak = rss > self.peak_rss_kb
        if new_peak:
            self.peak_rss_kb = rss
            self.peak_breakdown = dict(breakdown)
            self.peak_processes = len(tree)
        # PSS walks the page tables (~10 ms per large process): only every 5 s and when the RSS sum passes
        # the last PSS check's by 5 %, so that the sampler itself stays around 1 % of a core.
        if (new_peak and rss > 1.05 * self.pss_checked_rss_kb) or self.samples % 25 == 1:
            pss = sum(status_kb(pid, "smaps_rollup", b"Pss:") for pid in tree)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.pss_checked_rss_kb = max(self.pss_checked_rss_kb, rss)
        t = time.perf_counter() - self.t0
        if not self.timeline or t - self.timeline[-1][0] >= 5.0:
            self.timeline.append((round(t, 1), rss, dict(breakdown)))

    def stop(self) -> None:
        self.halt.set()
        self.join()


def _gnu_time_works() -> bool:
    if not GNU_TIME.is_file():
        return False
    try:
        done = subprocess.run([str(GNU_TIME), "-v", "true"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and "Maximum resident set size" in done.stderr


def _parse_gnu_time(text: str) -> dict[str, float]:
    keys = {
        "Maximum resident set size (kbytes)": "max_rss_kb",
        "User time (seconds)": "user_s",
        "System time (seconds)": "sys_s",
        "Percent of CPU this job got": "cpu_percent",
    }
    out: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.strip().rpartition(": ")
        if name in keys:
            try:
                out[keys[name]] = float(value.rstrip("%"))
            except ValueError:
                pass
    return out


def run_measured(cmd: Sequence[str], env: dict[str, str], log_path: Path, use_time: bool) -> dict[str, Any]:
    """Run ``cmd`` (cwd = the repository) and measure it; stdout and stderr go to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    time_out = log_path.with_suffix(".time")
    full = [str(GNU_TIME), "-v", "-o", str(time_out), *cmd] if use_time else list(cmd)
    busy0 = _system_busy_seconds()
    load0 = _loadavg()
    with open(log_path, "wb") as out:
        started = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid, skip_root=use_time)
        sampler.start()
        rc = proc.wait()
        wall = time.perf_counter() - t0
        ended = time.time()
        sampler.stop()
    busy = _system_busy_seconds() - busy0
    gt = _parse_gnu_time(time_out.read_text()) if use_time and time_out.is_file() else {}
    tree_cpu = (
        gt["user_s"] + gt["sys_s"] if "user_s" in gt else sum(sampler.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")
    )
    result: dict[str, Any] = {
        "rc": rc,
        "wall_s": round(wall, 3),
        "started_epoch": started,
        "ended_epoch": ended,
        "peak_rss_tree_bytes": sampler.peak_rss_kb * 1024,
        "peak_pss_tree_bytes": sampler.peak_pss_kb * 1024,
        "peak_rss_by_role_bytes": {k: v * 1024 for k, v in sorted(sampler.peak_breakdown.items())},
        "processes_at_peak": sampler.peak_processes,
        "max_processes": sampler.max_processes,
        "largest_process_max_rss_bytes": int(gt["max_rss_kb"] * 1024) if "max_rss_kb" in gt else None,
        "cpu_s": round(tree_cpu, 2),
        # polled from /proc (misses each process's last 0.2 s); GNU time misses processes their parent never
        # waited for (datatrove's forkserver workers), so the peers report the larger of the two
        "cpu_s_polled": round(sum(sampler.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK"), 2),
        "cpu_cores_used": round(tree_cpu / wall, 2) if wall else None,
        "other_cpu_cores": round(max(0.0, busy - tree_cpu) / wall, 2) if wall else None,
        "loadavg_before": load0,
        "loadavg_after": _loadavg(),
        "rss_samples": sampler.samples,
        "rss_timeline": [
            {"t": t, "rss_bytes": kb * 1024, "by_role_bytes": {k: v * 1024 for k, v in sorted(roles.items())}}
            for t, kb, roles in sampler.timeline
        ],
        "log": str(log_path.relative_to(REPO)) if log_path.is_relative_to(REPO) else str(log_path),
    }
    if rc != 0:
        result["output_tail"] = log_path.read_text(errors="replace")[-2000:]
    return result


# ==================================================================================================
# The product: the CLI, the warehouse it wrote, the Prefect task runs of the flow


def cli_path() -> Path:
    """The ``corpus-etl`` script of the interpreter running the benchmark."""
    here = Path(sys.executable).with_name("corpus-etl")
    if here.is_file():
        return here
    found = shutil.which("corpus-etl")
    if not found:
        raise SystemExit("corpus-etl not found next to the Python interpreter or on PATH")
    return Path(found)


def cli_env(keep_api_url: bool) -> dict[str, str]:
    """The environment of the measured CLI runs: quiet Prefect with its own home under bench/out."""
    env = dict(os.environ)
    env["PREFECT_HOME"] = str(PREFECT_HOME)
    env.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("DO_NOT_TRACK", "1")
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    # A loaded machine can take longer than Prefect's default 20 s to start the temporary API.
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    if not keep_api_url:
        env.pop("PREFECT_API_URL", None)
    return env


class PrefectServer:
    """A Prefect API server started once for the benchmark (``prefect server start``, own PREFECT_HOME), as
    scheduled users run the product: the CLI runs then do not start a temporary API each."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.start_s = 0.0

    def start(self, timeout: float = 240.0) -> str:
        import socket
        import urllib.request

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/api"
        exe = Path(sys.executable).with_name("prefect")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                [str(exe), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise BenchError(f"prefect server exited {self.proc.returncode}: see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as resp:
                    if resp.status == 200:
                        self.start_s = round(time.perf_counter() - t0, 2)
                        return self.url
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise BenchError(f"prefect server did not answer within {timeout:.0f} s: see {self.log_path}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def run_cli(
    sources: Sequence[Path],
    warehouse: Path,
    env: dict[str, str],
    log_name: str,
    use_time: bool,
    extra: Sequence[str] = (),
) -> dict[str, Any]:
    """Run ``corpus-etl ingest SOURCES --warehouse WAREHOUSE --quiet`` and measure it."""
    cmd = [
        str(cli_path()),
        "ingest",
        *map(str, sources),
        "--warehouse",
        str(warehouse),
        "--quiet",
        "--fail-on",
        "none",
        *extra,
    ]
    res = run_measured(cmd, env, OUT / "logs" / f"{log_name}.log", use_time)
    res["command"] = " ".join(["corpus-etl", *cmd[1:]]).replace(str(REPO) + "/", "")
    if res["rc"] != 0:
        raise BenchError(f"{res['command']} exited {res['rc']}:\n{res.get('output_tail', '')}")
    return res


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, datetime) else v


def warehouse_facts(wh: Path) -> dict[str, Any]:
    """Runs, row counts, languages and sizes of a warehouse (read-only)."""
    import duckdb

    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        have = {
            r[0] for r in con.execute("select column_name from duckdb_columns() where table_name = 'runs'").fetchall()
        }
        wanted = [
            "run_id",
            "status",
            "started_at",
            "finished_at",
            "seconds",
            "stage_seconds",  # per-stage seconds, recorded by the flow since it has the column
            *RUN_COUNTERS,
        ]
        cols = [c for c in wanted if c in have]
        cur = con.execute(f"select {', '.join(cols)} from runs order by started_at")
        runs = [{c: _iso(v) for c, v in zip(cols, row, strict=True)} for row in cur.fetchall()]
        for run in runs:
            if isinstance(run.get("stage_seconds"), str):
                try:
                    run["stage_seconds"] = json.loads(run["stage_seconds"])
                except ValueError:
                    pass

        def one(q: str) -> int:
            row = con.execute(q).fetchone()
            return int(row[0]) if row else 0

        langs = con.execute(
            "select language, count(*) from (select language from articles union all select language from quarantine) "
            "group by 1 order by 2 desc, 1"
        ).fetchall()
        batches = con.execute("select run_id, batch, min(started_at) from dq_runs group by 1, 2 order by 3").fetchall()
        facts = {
            "runs": runs,
            "articles": one("select count(*) from articles"),
            "quarantine": one("select count(*) from quarantine"),
            "paragraphs": one("select count(*) from paragraphs"),
            "removed_spans": one("select count(*) from removed_spans"),
            "records_with_paragraph_languages": one(
                "select count(distinct article_id) from paragraphs where language is not null"
            ),
            "languages": {str(k): int(n) for k, n in langs},
            "validated_batches": [{"run_id": r, "batch": b, "started_at": _iso(t)} for r, b, t in batches],
        }
    finally:
        con.close()
    facts["duckdb_bytes"] = (wh / "corpus.duckdb").stat().st_size
    facts["parquet_bytes"] = sum(p.stat().st_size for p in (wh / "parquet").rglob("*.parquet"))
    return facts


def warehouse_records(wh: Path) -> list[tuple[str | None, str]]:
    """(title, body) of every record in the warehouse (articles and quarantine), in file order."""
    import duckdb

    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select title, body from (select source_path, ordinal, title, body from articles union all "
            "select source_path, ordinal, title, body from quarantine) order by source_path, ordinal"
        ).fetchall()
    finally:
        con.close()
    return [(t, b) for t, b in rows]


def warehouse_content_hashes(wh: Path) -> Counter[str]:
    import duckdb

    con = duckdb.connect(str(wh / "corpus.duckdb"), read_only=True)
    try:
        rows = con.execute("select content_hash from articles union all select content_hash from quarantine").fetchall()
    finally:
        con.close()
    return Counter(r[0] for r in rows)


def _epoch(value: str | None) -> float | None:
    if not value:
        return None
    dt = datetime.fromisoformat(value)
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


def prefect_stages(run_id: str, proc: dict[str, Any]) -> dict[str, Any] | None:
    """Per-stage times of a flow run from the Prefect API database (task runs), and the time the process
    spent before the flow started (imports, the temporary API server) and after it ended."""
    db = PREFECT_HOME / "prefect.db"
    if not db.is_file():
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        fr = con.execute("select start_time, end_time from flow_run where id = ?", (run_id,)).fetchone()
        tasks = con.execute(
            "select name, start_time, end_time, state_type from task_run where flow_run_id = ? order by start_time",
            (run_id,),
        ).fetchall()
    except sqlite3.Error as exc:
        return {"error": str(exc)}
    finally:
        con.close()
    if not fr or not fr[0] or not fr[1]:
        return None
    f0, f1 = _epoch(fr[0]), _epoch(fr[1])
    assert f0 is not None and f1 is not None
    by: dict[str, dict[str, Any]] = {}
    for name, start, end, state in tasks:
        base = re.sub(r"-[0-9a-f]{3}$", "", name)
        s, e = _epoch(start), _epoch(end)
        if s is None or e is None:
            continue
        d = by.setdefault(base, {"n": 0, "sum_s": 0.0, "max_s": 0.0, "first_start_s": s - f0, "last_end_s": e - f0})
        d["n"] += 1
        d["sum_s"] += e - s
        d["max_s"] = max(d["max_s"], e - s)
        d["first_start_s"] = min(d["first_start_s"], s - f0)
        d["last_end_s"] = max(d["last_end_s"], e - f0)
        if state != "COMPLETED":
            d["not_completed"] = d.get("not_completed", 0) + 1
    for d in by.values():
        for k in ("sum_s", "max_s", "first_start_s", "last_end_s"):
            d[k] = round(d[k], 3)
    out: dict[str, Any] = {
        "startup_s": round(f0 - proc["started_epoch"], 3),
        "flow_s": round(f1 - f0, 3),
        "shutdown_s": round(proc["ended_epoch"] - f1, 3),
        "tasks": by,
    }
    pb = by.get("process-batch")
    if pb:
        out["processing_span_s"] = round(pb["last_end_s"] - pb["first_start_s"], 3)
        out["after_last_batch_s"] = round((f1 - f0) - pb["last_end_s"], 3)
    return out


# ==================================================================================================
# Floors: the same work without the product around it (top-level functions, for the process pools)


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _spawn_pool(processes: int, initializer: Callable[[], None]) -> ProcessPoolExecutor:
    """A started pool of spawned processes (as the product's), every worker initialised before timing."""
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"), initializer=initializer)
    list(pool.map(_pause, [0.5] * (2 * processes)))
    return pool


def _init_split() -> None:
    """Import the splitter and compile its rules (and its lazily compiled patterns) before timing."""
    from corpus_etl.decode import decode_bytes
    from corpus_etl.formats import split_document
    from corpus_etl.rules import load_rules
    from corpus_etl.split import SplitOptions

    warm = "A title for the warm-up\n\nSkip to main content\n\nBy Jane Doe, Example News\n\nA sentence of text.\n"
    split_document(decode_bytes(warm.encode()).text, "text", load_rules(), SplitOptions())


def split_one(path: str) -> tuple[str, str, list[str]]:
    """decode_bytes + split_document + sha256 of one file: (path, sha256, record bodies)."""
    from corpus_etl.decode import decode_bytes
    from corpus_etl.formats import split_document
    from corpus_etl.rules import load_rules
    from corpus_etl.split import SplitOptions

    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    result = split_document(decode_bytes(data).text, "text", load_rules(), SplitOptions())
    return path, digest, ["\n\n".join(r.paragraphs) for r in result.records]


def split_floor(paths: Sequence[str], processes: int, out_path: Path) -> dict[str, Any]:
    """Time split + hash + one zstd Parquet file of the record bodies on 1 or more processes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    order = sorted(paths, key=lambda p: -os.path.getsize(p))  # largest first: the processes end together
    schema = pa.schema([("path", pa.string()), ("sha256", pa.string()), ("ordinal", pa.int32()), ("body", pa.string())])
    pool = _spawn_pool(processes, _init_split) if processes > 1 else None
    if pool is None:
        _init_split()
    with pq.ParquetWriter(io.BytesIO(), schema, compression="zstd") as warm:  # pyarrow's first write takes ~1 s
        warm.write_table(pa.table({name: [] for name in schema.names}, schema=schema))
    n = 0
    try:
        with Clock(pool) as clock:
            results = pool.map(split_one, order) if pool else map(split_one, order)
            cols: dict[str, list[Any]] = {name: [] for name in schema.names}
            with pq.ParquetWriter(out_path, schema, compression="zstd") as writer:
                for path, digest, bodies in results:
                    for i, body in enumerate(bodies):
                        cols["path"].append(path)
                        cols["sha256"].append(digest)
                        cols["ordinal"].append(i)
                        cols["body"].append(body)
                    n += len(bodies)
                    if len(cols["body"]) >= 50_000:
                        writer.write_table(pa.table(cols, schema=schema))
                        cols = {name: [] for name in schema.names}
                if cols["body"]:
                    writer.write_table(pa.table(cols, schema=schema))
    finally:
        if pool is not None:
            pool.shutdown()
    return {"processes": processes, **clock.facts(), "records": n, "parquet_bytes": out_path.stat().st_size}


def _no_languages(texts: Sequence[str], **_kwargs: Any) -> Any:
    from corpus_etl.langid import UND, LangResult

    return [LangResult(UND, 0.0, "benchmark_stub") for _ in texts]


def _init_extract() -> None:
    """In this worker, ``extract_records`` skips language detection (the bodies do not depend on it)."""
    import corpus_etl.pipeline as pipeline

    pipeline.detect_languages = _no_languages


def extract_one(path: str) -> list[tuple[str | None, str]]:
    """(title, body) of every record ``extract_records`` makes of one file."""
    from corpus_etl.decode import decode_bytes
    from corpus_etl.pipeline import extract_records

    rows = extract_records(decode_bytes(Path(path).read_bytes()).text, source_path=path)
    return [(r["title"], r["body"]) for r in rows]  # type: ignore[misc]


def extract_bodies(paths: Sequence[str], processes: int) -> tuple[list[tuple[str | None, str]], float]:
    """The records' (title, body) of all files in file order (not a measurement: input of the floors)."""
    t0 = time.perf_counter()
    pool = _spawn_pool(processes, _init_extract)
    try:
        records = [rec for recs in pool.map(extract_one, paths) for rec in recs]
    finally:
        pool.shutdown()
    return records, time.perf_counter() - t0


def _init_langid() -> None:
    from corpus_etl.langid import detect_language

    for engine in ("fast", "langdetect"):  # load both engines' profiles before the timing
        detect_language("warm up the language detector with a sentence", min_letters=1, engine=engine)


def detect_chunk(args: tuple[list[str], int, str]) -> list[str]:
    """Languages of a chunk of texts, detected as the product detects a file's records (together)."""
    from corpus_etl.langid import detect_languages

    texts, sample_chars, engine = args
    return [r.language for r in detect_languages(texts, seed=0, sample_chars=sample_chars, engine=engine)]  # type: ignore[arg-type]


def lang_floor(texts: Sequence[str], processes: int, sample_chars: int, engine: str = "fast") -> dict[str, Any]:
    """Time ``detect_languages(texts, seed=0, sample_chars=..., engine=...)`` over ``texts`` in chunks of
    ``LANG_CHUNK`` (as the product detects a file's records together) on 1 or more processes (``engine``:
    the product's numpy engine ``fast``, or langdetect's own code ``langdetect``, one text at a time)."""
    pool = _spawn_pool(processes, _init_langid) if processes > 1 else None
    if pool is None:
        _init_langid()
    try:
        with Clock(pool) as clock:
            if pool is None:
                langs = [
                    x
                    for i in range(0, len(texts), LANG_CHUNK)
                    for x in detect_chunk((list(texts[i : i + LANG_CHUNK]), sample_chars, engine))
                ]
            else:
                chunks = [
                    (list(texts[i : i + LANG_CHUNK]), sample_chars, engine) for i in range(0, len(texts), LANG_CHUNK)
                ]
                langs = [x for part in pool.map(detect_chunk, chunks) for x in part]
    finally:
        if pool is not None:
            pool.shutdown()
    return {
        "processes": processes,
        "engine": engine,
        **clock.facts(),
        "texts": len(texts),
        "languages": dict(Counter(langs).most_common()),
    }


def naive_baseline(records: Sequence[tuple[str | None, str]], out_path: Path) -> dict[str, Any]:
    """A naive pipeline on the same records: ``langdetect.detect`` on the FULL body of every record in a
    pandas loop, on one process, then ``DataFrame.to_parquet``. The records (the product's split) are
    made outside the timing, so the baseline does no splitting at all."""
    import pandas as pd
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    df = pd.DataFrame(list(records), columns=["title", "body"])
    DetectorFactory.seed = 0
    detect("warm up the language profiles with an English sentence")

    def language(text: str) -> str:
        try:
            return str(detect(text))
        except LangDetectException:
            return "und"

    with Clock() as clock:
        df["language"] = df["body"].map(language)
        df.to_parquet(out_path, index=False)
    return {
        **clock.facts(),
        "records": len(df),
        "body_chars": int(df["body"].str.len().sum()),
        "parquet_bytes": out_path.stat().st_size,
    }


# ==================================================================================================
# Fixed cost


def tiny_corpus(pool: StoryPool) -> Path:
    """A one-file corpus: the first BBC article, as plain text."""
    dest = OUT / "corpus-tiny"
    story = next((s for s in pool.stories if s.sid.startswith("bbc/")), pool.stories[0])
    text = story.title + "\n\n" + "\n\n".join(story.paragraphs) + "\n"
    path = dest / "article.txt"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    return dest


IMPORTS = {
    "python_start": "pass",
    "import_cli": "import corpus_etl_cli.main",
    "import_prefect": "import prefect",
    "import_flow": "import flows.ingest",
    "import_great_expectations": "import great_expectations",
    "langdetect_profiles": (
        "from corpus_etl.langid import detect_language; "
        "detect_language('load the language profiles with a sentence', min_letters=1)"
    ),
}


def measure_fixed_cost(pool: StoryPool, env: dict[str, str], use_time: bool, log: Log) -> dict[str, Any]:
    """The CLI on a one-file corpus (with and without validation) and the import times behind it."""
    tiny = tiny_corpus(pool)
    out: dict[str, Any] = {"corpus": "1 file, 1 BBC article"}
    if not (PREFECT_HOME / "prefect.db").is_file():
        wh = OUT / "wh-tiny-first"
        shutil.rmtree(wh, ignore_errors=True)
        log("fixed cost: first run in a fresh PREFECT_HOME (creates the Prefect database)")
        out["fresh_prefect_home_run"] = _tiny_run(tiny, wh, env, "tiny-fresh-prefect-home", use_time)
    runs = []
    for i in range(2):
        wh = OUT / "wh-tiny"
        shutil.rmtree(wh, ignore_errors=True)
        log(f"fixed cost: tiny run {i + 1}/2")
        runs.append(_tiny_run(tiny, wh, env, f"tiny-{i + 1}", use_time))
    out["runs"] = runs
    out["wall_s"] = min(r["wall_s"] for r in runs)
    wh = OUT / "wh-tiny"
    shutil.rmtree(wh, ignore_errors=True)
    log("fixed cost: tiny run with --no-validate")
    out["no_validate"] = _tiny_run(tiny, wh, env, "tiny-no-validate", use_time, ["--no-validate"])
    python = Path(sys.executable)
    imports: dict[str, float] = {}
    for name, stmt in IMPORTS.items():
        t0 = time.perf_counter()
        subprocess.run([str(python), "-c", stmt], cwd=REPO, env=env, check=True, capture_output=True)
        imports[name] = round(time.perf_counter() - t0, 2)
    out["imports_s"] = imports
    log(f"fixed cost: tiny run {out['wall_s']:.1f} s; imports {imports}")
    return out


def _tiny_run(
    tiny: Path, wh: Path, env: dict[str, str], name: str, use_time: bool, extra: Sequence[str] = ()
) -> dict[str, Any]:
    res = run_cli([tiny], wh, env, name, use_time, extra)
    facts = warehouse_facts(wh)
    run = facts["runs"][-1]
    res["flow_seconds_in_runs_table"] = run["seconds"]
    res["stages"] = prefect_stages(run["run_id"], res)
    res.pop("rss_timeline", None)
    return res


# ==================================================================================================
# One corpus size


def measure_size(
    size_mb: float,
    pool: StoryPool,
    env: dict[str, str],
    use_time: bool,
    floors: bool,
    naive: bool,
    log: Log,
    env_ephemeral: dict[str, str] | None = None,
) -> tuple[dict[str, Any], list[tuple[str | None, str]] | None]:
    """Build the corpus, run the product twice (the rerun, on the unchanged corpus, is what a user's
    rerun is: recorded without starting Prefect), a third time with ``--always-flow`` (the same rerun
    through the Prefect flow, with Prefect's temporary API when ``env_ephemeral`` is given, else against
    the server), and (``floors``) the floors; return results and records."""
    label = size_label(size_mb)
    corpus_dir = OUT / f"corpus-{label}"
    manifest = build_corpus(corpus_dir, size_mb, pool, log=log)
    paths = corpus_paths(corpus_dir, manifest)
    mb = manifest["total_bytes"] / MB
    res: dict[str, Any] = {
        "size_mb": size_mb,
        "corpus": {k: v for k, v in manifest.items() if k != "files"} | {"dir": str(corpus_dir.relative_to(REPO))},
    }
    wh = OUT / f"wh-{label.removesuffix('mb')}"
    shutil.rmtree(wh, ignore_errors=True)
    log(f"{label}: first run (fresh warehouse {wh.relative_to(REPO)})")
    first = run_cli([corpus_dir], wh, env, f"ingest-{label}-first", use_time)
    log(f"{label}: first run {first['wall_s']:.1f} s, peak RSS {first['peak_rss_tree_bytes'] / MIB:.0f} MiB")
    log(f"{label}: second run (unchanged corpus, same warehouse)")
    second = run_cli([corpus_dir], wh, env, f"ingest-{label}-rerun", use_time)
    log(f"{label}: rerun {second['wall_s']:.1f} s")
    api = "Prefect's temporary API" if env_ephemeral is not None else "the server"
    log(f"{label}: third run (unchanged corpus) through the Prefect flow (--always-flow), {api}")
    third = run_cli(
        [corpus_dir], wh, env_ephemeral or env, f"ingest-{label}-rerun-flow", use_time, extra=["--always-flow"]
    )
    third["prefect_api"] = "temporary" if env_ephemeral is not None else "server"
    log(f"{label}: rerun through the flow {third['wall_s']:.1f} s")
    facts = warehouse_facts(wh)
    runs = facts["runs"]
    if len(runs) != 3:
        raise BenchError(f"expected 3 runs in {wh}, found {len(runs)}")
    first["run"], second["run"] = runs[:2]
    first["stages"] = prefect_stages(runs[0]["run_id"], first)
    second["stages"] = prefect_stages(runs[1]["run_id"], second)
    res["first_run"] = first
    res["rerun"] = second
    third["run"] = runs[2]
    third["stages"] = prefect_stages(runs[2]["run_id"], third)
    third.pop("rss_timeline", None)
    res["rerun_flow"] = third
    res["warehouse"] = {k: v for k, v in facts.items() if k != "runs"}
    n_records = runs[0]["n_records"]
    res["product"] = {
        "mb": round(mb, 3),
        "records": n_records,
        "wall_s": first["wall_s"],
        "mb_per_s": round(mb / first["wall_s"], 4),
        "articles_per_s": round(n_records / first["wall_s"], 1),
        "s_per_mb": round(first["wall_s"] / mb, 3),
    }
    records: list[tuple[str | None, str]] | None = None
    if floors or naive:
        log(f"{label}: extracting record bodies for the floors (outside the timing, {WORKERS} processes)")
        records, secs = extract_bodies(paths, WORKERS)
        mine = Counter(hashlib.sha256(b.encode("utf-8")).hexdigest() for _, b in records)
        theirs = warehouse_content_hashes(wh)
        res["floor_inputs"] = {
            "records": len(records),
            "extract_seconds_untimed": round(secs, 1),
            "bodies_match_warehouse": mine == theirs,
            "warehouse_records": sum(theirs.values()),
            "body_chars": sum(len(b) for _, b in records),
        }
        log(f"{label}: {len(records)} records (bodies match the warehouse: {mine == theirs})")
        if mine != theirs:
            # The product removes more than the splitter alone (the learned-boilerplate pre-pass sees the
            # whole corpus): the floors then detect on the warehouse's own records, what the product detected.
            records = warehouse_records(wh)
            res["floor_inputs"]["taken_from"] = "warehouse (articles + quarantine): the splitter alone differs"
            log(f"{label}: floors use the warehouse's {len(records)} records")
    if floors:
        assert records is not None
        res["floors"] = run_floors(label, paths, records, mb, log)
        res["floors"]["languages_match_warehouse"] = (
            res["floors"]["lang_1p"]["languages"] == res["warehouse"]["languages"]
        )
    return res, records


def run_floors(
    label: str, paths: Sequence[str], records: Sequence[tuple[str | None, str]], mb: float, log: Log
) -> dict[str, Any]:
    from corpus_etl.settings import Settings

    sample_chars = Settings().lang_sample_chars
    engine = Settings().lang_engine
    out: dict[str, Any] = {"lang_sample_chars": sample_chars, "lang_engine": engine}
    for n in (1, WORKERS):
        log(f"{label}: floor split + hash + Parquet on {n} process(es)")
        r = split_floor(paths, n, OUT / f"floor-split-{label}-{n}p.parquet")
        r["mb_per_s"] = round(mb / r["seconds"], 4)
        out[f"split_{n}p"] = r
        log(f"{label}: split floor {n}p {r['seconds']:.1f} s")
    texts = [body or (title or "") for title, body in records]  # what the product detects on
    for n in (1, WORKERS):
        log(f"{label}: floor language detection on {n} process(es)")
        r = lang_floor(texts, n, sample_chars, engine)
        r["mb_per_s"] = round(mb / r["seconds"], 4)
        r["texts_per_s"] = round(len(texts) / r["seconds"], 1)
        out[f"lang_{n}p"] = r
        log(f"{label}: language floor {n}p {r['seconds']:.1f} s")
    if engine != "langdetect":
        # the floor with langdetect's own (pure-Python) code, which the product's engine replaces with
        # identical answers: the limit a product calling langdetect directly would have
        log(f"{label}: floor language detection with langdetect's own code on {WORKERS} processes")
        r = lang_floor(texts, WORKERS, sample_chars, "langdetect")
        r["mb_per_s"] = round(mb / r["seconds"], 4)
        r["texts_per_s"] = round(len(texts) / r["seconds"], 1)
        out[f"lang_{WORKERS}p_langdetect"] = r
        log(f"{label}: langdetect floor {WORKERS}p {r['seconds']:.1f} s")
    out["lang_2p_over_1p_speedup"] = round(out["lang_1p"]["seconds"] / out[f"lang_{WORKERS}p"]["seconds"], 2)
    out["split_2p_over_1p_speedup"] = round(out["split_1p"]["seconds"] / out[f"split_{WORKERS}p"]["seconds"], 2)
    return out


# ==================================================================================================
# Summary, ratios, reports


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    """The ratios the targets are about, per size, and the scaling between sizes."""
    sizes = results["sizes"]
    fixed = results.get("fixed_cost", {}).get("wall_s")
    naive = results.get("naive_baseline")
    keys = sorted(sizes, key=float)
    floor_ref = next((k for k in keys if "floors" in sizes[k]), None)
    per: dict[str, Any] = {}
    for k in keys:
        s = sizes[k]
        p = s["product"]
        r: dict[str, Any] = {"s_per_mb": p["s_per_mb"]}
        if fixed is not None:
            r["s_per_mb_without_fixed_cost"] = round((p["wall_s"] - fixed) / p["mb"], 3)
        src = k if "floors" in s else floor_ref
        if src is not None:
            fl = sizes[src]["floors"]
            lang_mb_s = fl[f"lang_{WORKERS}p"]["mb_per_s"]
            r["floor_measured_on"] = f"{src} MB" + ("" if src == k else " (rate in MB/s applied to this size)")
            r["throughput_vs_lang_floor"] = round(p["mb_per_s"] / lang_mb_s, 3)
            if fixed is not None:
                r["throughput_vs_lang_floor_without_fixed_cost"] = round(
                    (p["mb"] / (p["wall_s"] - fixed)) / lang_mb_s, 3
                )
            r["throughput_vs_split_floor"] = round(p["mb_per_s"] / fl[f"split_{WORKERS}p"]["mb_per_s"], 3)
            if f"lang_{WORKERS}p_langdetect" in fl:
                r["throughput_vs_langdetect_floor"] = round(
                    p["mb_per_s"] / fl[f"lang_{WORKERS}p_langdetect"]["mb_per_s"], 3
                )
            speedup = fl["lang_1p"]["seconds"] / fl[f"lang_{WORKERS}p"]["seconds"]
            r["lang_floor_parallel_speedup"] = round(speedup, 2)
            r["lang_floor_contended"] = speedup < 0.75 * WORKERS
            if src == k and s["first_run"].get("cpu_s") and "cpu_s" in fl["lang_1p"]:
                # CPU seconds are less disturbed by other work on the machine than wall seconds.
                r["lang_floor_cpu_share_of_product_cpu"] = round(fl["lang_1p"]["cpu_s"] / s["first_run"]["cpu_s"], 3)
                r["split_floor_cpu_share_of_product_cpu"] = round(fl["split_1p"]["cpu_s"] / s["first_run"]["cpu_s"], 3)
        if naive:
            r["speedup_vs_naive"] = round(p["mb_per_s"] / naive["mb_per_s"], 3)
        r["rerun_vs_first"] = round(s["rerun"]["wall_s"] / s["first_run"]["wall_s"], 4)
        if "rerun_flow" in s:
            r["rerun_flow_vs_first"] = round(s["rerun_flow"]["wall_s"] / s["first_run"]["wall_s"], 4)
        if s["rerun"].get("run", {}).get("seconds") is not None:
            r["rerun_flow_s"] = s["rerun"]["run"]["seconds"]
        r["peak_rss_tree_bytes"] = s["first_run"]["peak_rss_tree_bytes"]
        per[k] = r
    out: dict[str, Any] = {"per_size": per}
    if len(keys) >= 2:
        lo, hi = keys[0], keys[-1]
        out["linearity_s_per_mb_ratio"] = round(per[hi]["s_per_mb"] / per[lo]["s_per_mb"], 3)
        if fixed is not None:
            out["linearity_s_per_mb_ratio_without_fixed_cost"] = round(
                per[hi]["s_per_mb_without_fixed_cost"] / per[lo]["s_per_mb_without_fixed_cost"], 3
            )
        out["peak_rss_ratio"] = round(per[hi]["peak_rss_tree_bytes"] / per[lo]["peak_rss_tree_bytes"], 3)
        out["linearity_between"] = [f"{lo} MB", f"{hi} MB"]
    return out


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    rat = results["ratios"]
    out: list[dict[str, Any]] = []

    def add(name: str, value: Any, target: str, met: bool | None) -> None:
        out.append({"name": name, "value": value, "target": target, "met": met})

    for k, r in rat["per_size"].items():
        if "throughput_vs_lang_floor" in r:
            v = r["throughput_vs_lang_floor"]
            name = f"{k} MB: throughput / 2-process language floor"
            if r.get("lang_floor_contended"):
                name += f" (**floor contended**: 2 processes were only {r['lang_floor_parallel_speedup']}x 1 process)"
            add(name, v, ">= 0.70", v >= TARGETS["throughput_vs_lang_floor"])
        for key, name in (
            ("lang_floor_cpu_share_of_product_cpu", "same, from CPU seconds (language floor CPU s / product CPU s)"),
            (
                "throughput_vs_langdetect_floor",
                "throughput / 2-process floor of langdetect's own code (the engine the product replaces)",
            ),
        ):
            if key in r:
                add(f"{k} MB: {name}", r[key], ">= 0.70", r[key] >= TARGETS["throughput_vs_lang_floor"])
        if "speedup_vs_naive" in r:
            v = r["speedup_vs_naive"]
            add(f"{k} MB: throughput / naive baseline", v, ">= 2.0", v >= TARGETS["speedup_vs_naive"])
        v = r["rerun_vs_first"]
        add(f"{k} MB: rerun time / first run", v, "<= 0.02", v <= TARGETS["rerun_vs_first"])
        if "rerun_flow_vs_first" in r:
            v = r["rerun_flow_vs_first"]
            add(
                f"{k} MB: for comparison, the rerun through the Prefect flow (--always-flow)",
                v,
                "<= 0.02",
                v <= TARGETS["rerun_vs_first"],
            )
        v = r["peak_rss_tree_bytes"]
        add(f"{k} MB: peak RSS (process tree)", f"{v / MIB:.0f} MiB", "<= 1024 MiB", v <= TARGETS["peak_rss_bytes"])
    if "peak_rss_ratio" in rat:
        a, b = rat["linearity_between"]
        add(f"peak RSS {b} / {a}", rat["peak_rss_ratio"], "flat (about 1)", rat["peak_rss_ratio"] <= 1.25)
        add(f"s/MB {b} / {a}", rat["linearity_s_per_mb_ratio"], "linear (about 1)", None)
    from bench.peers import peer_targets

    return out + peer_targets(results)


def code_version() -> dict[str, Any]:
    """The code measured: a hash of the product's packages, the git commit, uncommitted changes."""
    digest = hashlib.sha256()
    for pkg in ("corpus_etl", "flows", "tasks", "warehouse", "expectations"):
        for f in sorted((REPO / pkg).rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                digest.update(str(f.relative_to(REPO)).encode() + b"\0" + f.read_bytes())
    out: dict[str, Any] = {"product_sha256": digest.hexdigest()[:16], "git_commit": None, "uncommitted_changes": None}
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=20
        )
        out["git_commit"] = done.stdout.strip() or None
        st = subprocess.run(
            ["git", "status", "--porcelain", "--", "corpus_etl", "flows", "tasks", "warehouse", "expectations"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=20,
        )
        out["uncommitted_changes"] = bool(st.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def machine_facts() -> dict[str, Any]:
    from importlib import metadata

    mem = 0
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = {}
    for pkg in ("duckdb", "pyarrow", "prefect", "langdetect", "great-expectations", "pandas"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_bytes": mem,
        "cpu_model": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def _mib(b: float | None) -> str:
    return "—" if b is None else f"{b / MIB:,.0f}"


def _f(x: Any, nd: int = 2) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_f(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    code = results["code"]
    sizes = results["sizes"]
    keys = sorted(sizes, key=float)
    v = m["versions"]
    lines = [
        "# corpus-etl benchmark",
        "",
        f"`{' '.join(['python -m bench.run', *results['argv']])}` — {results['date']}"
        + (" — **partial (still running or interrupted)**" if results.get("partial") else ""),
        "",
        f"Machine: {m['nproc']} cores ({m['cpu_model']}), {m['memory_bytes'] / (1 << 30):.1f} GiB, "
        f"Python {m['python']}; "
        f"duckdb {v['duckdb']}, pyarrow {v['pyarrow']}, prefect {v['prefect']}, langdetect {v['langdetect']}, "
        f"great-expectations {v['great-expectations']}, pandas {v['pandas']}. "
        f"Code: commit {code['start']['git_commit']}"
        + (" plus uncommitted changes" if code["start"]["uncommitted_changes"] else "")
        + f", product files sha256 {code['start']['product_sha256']}"
        + (" (**the code changed during the run**)" if code.get("changed_during_run") else "")
        + ".",
        "",
        "Timings are wall-clock on a machine shared with other work: see *other CPU* (cores busy with other "
        "processes during the run) and the load averages in RESULTS.json. See bench/README.md for definitions.",
        "",
        "## Product (`corpus-etl ingest`, fresh warehouse)",
        "",
    ]
    rows = []
    for k in keys:
        s = sizes[k]
        c, f, r, p = s["corpus"], s["first_run"], s["rerun"], s["product"]
        rows.append(
            [
                f"{k} MB",
                c["n_files"],
                p["records"],
                f"{c['n_distinct_article_texts']:,} / {c['n_articles']:,}",
                f["wall_s"],
                p["mb_per_s"],
                p["articles_per_s"],
                p["s_per_mb"],
                _mib(f["peak_rss_tree_bytes"]),
                _mib(f["largest_process_max_rss_bytes"]),
                f["cpu_s"],
                f["cpu_cores_used"],
                f["other_cpu_cores"],
                r["wall_s"],
                s.get("rerun_flow", {}).get("wall_s"),
            ]
        )
    lines.append(
        _table(
            [
                "corpus",
                "files",
                "records",
                "distinct / generated article texts",
                "first run s",
                "MB/s",
                "records/s",
                "s/MB",
                "peak RSS tree MiB",
                "largest process MiB",
                "CPU s",
                "CPU cores used",
                "other CPU",
                "rerun s",
                "rerun through the flow s",
            ],
            rows,
        )
    )
    lines += ["", "## Where the time goes (Prefect task runs of the first run, from the Prefect API database)", ""]
    rows = []
    for k in keys:
        st = sizes[k]["first_run"].get("stages") or {}
        t = st.get("tasks", {})

        def ts(name: str, key: str = "sum_s", t: dict[str, Any] = t) -> Any:
            return t.get(name, {}).get(key)

        rows.append(
            [
                f"{k} MB",
                st.get("startup_s"),
                ts("process-batch", "n"),
                st.get("processing_span_s"),
                ts("validate-batch"),
                ts("load-batch"),
                ts("export-parquet"),
                st.get("after_last_batch_s"),
                st.get("shutdown_s"),
                sizes[k]["first_run"]["wall_s"],
            ]
        )
    lines.append(
        _table(
            [
                "corpus",
                "start-up s (imports, Prefect API)",
                "batches",
                "processing span s",
                "validate s (sum)",
                "load s (sum)",
                "Parquet export s",
                "after last batch s",
                "shutdown s",
                "wall s",
            ],
            rows,
        )
    )
    lines += [
        "",
        "*processing span*: first batch start to last batch end (workers split, normalise, detect languages and "
        "write staging Parquet; validation and loading of earlier batches overlap it). *after last batch*: the "
        "last batch's validation and load, the Parquet export and the run's end.",
        "",
        "Every task of the first run (seconds; start and end relative to the flow's start):",
        "",
    ]
    rows = []
    for k in keys:
        st = sizes[k]["first_run"].get("stages") or {}
        for name, t in (st.get("tasks") or {}).items():
            rows.append([f"{k} MB", name, t["n"], t["sum_s"], t["max_s"], t["first_start_s"], t["last_end_s"]])
    lines.append(_table(["corpus", "task", "runs", "sum s", "max s", "first start s", "last end s"], rows))
    rows = []
    names: list[str] = []
    for k in keys:
        for which in ("first_run", "rerun"):
            stages = (sizes[k][which].get("run") or {}).get("stage_seconds")
            if isinstance(stages, dict):
                names += [n for n in stages if n not in names]
                rows.append((f"{k} MB", which.replace("_", " "), stages, sizes[k][which].get("run", {}).get("seconds")))
    if rows:
        lines += [
            "",
            "Stages recorded by the flow itself (`runs.stage_seconds`; *process* sums the workers' batch "
            "seconds, *wait* is the flow waiting for batches):",
            "",
        ]
        lines.append(
            _table(
                ["corpus", "run", *names, "runs.seconds"],
                [[c, w, *(st.get(n) for n in names), secs] for c, w, st, secs in rows],
            )
        )
    lines += ["", "## Floors on the same files", ""]
    rows = []
    for k in keys:
        fl = sizes[k].get("floors")
        if not fl:
            continue
        rows.append(
            [
                f"{k} MB",
                fl["split_1p"]["seconds"],
                fl[f"split_{WORKERS}p"]["seconds"],
                fl["lang_1p"]["seconds"],
                fl[f"lang_{WORKERS}p"]["seconds"],
                fl[f"lang_{WORKERS}p"]["mb_per_s"],
                (fl.get(f"lang_{WORKERS}p_langdetect") or {}).get("seconds"),
                " / ".join(
                    _f(fl[x].get("other_cpu_cores"))
                    for x in ("split_1p", f"split_{WORKERS}p", "lang_1p", f"lang_{WORKERS}p")
                ),
                fl["lang_1p"]["texts"],
                sizes[k]["floor_inputs"]["bodies_match_warehouse"],
                fl["languages_match_warehouse"],
            ]
        )
    if rows:
        lines.append(
            _table(
                [
                    "corpus",
                    "split+hash+Parquet 1 proc s",
                    f"… {WORKERS} procs s",
                    "language detection 1 proc s",
                    f"… {WORKERS} procs s",
                    f"language floor {WORKERS} procs MB/s",
                    f"langdetect's own code {WORKERS} procs s",
                    "other CPU (the four runs)",
                    "texts",
                    "bodies = warehouse",
                    "languages = warehouse",
                ],
                rows,
            )
        )
    else:
        lines.append("Not measured in this run.")
    nb = results.get("naive_baseline")
    lines += ["", "## Naive baseline", ""]
    if nb:
        lines.append(
            f"pandas + `langdetect.detect` on the full body of each of the {nb['records']:,} records of the "
            f"{nb['size_mb']:g} MB corpus, one process, then `DataFrame.to_parquet`: **{nb['seconds']:,.1f} s** "
            f"({nb['mb_per_s']:.3f} MB/s). The records come from the product's own split, made outside the timing."
        )
    else:
        lines.append("Not measured in this run.")
    fc = results.get("fixed_cost")
    lines += ["", "## Fixed cost (one-file corpus)", ""]
    if fc:
        rows = [
            [
                r.get("label", f"run {i + 1}"),
                r["wall_s"],
                (r.get("stages") or {}).get("startup_s"),
                (r.get("stages") or {}).get("flow_s"),
                ((r.get("stages") or {}).get("tasks", {}).get("validate-batch") or {}).get("sum_s"),
                (r.get("stages") or {}).get("shutdown_s"),
                _mib(r["peak_rss_tree_bytes"]),
            ]
            for i, r in enumerate(
                [
                    *({**r, "label": f"tiny run {i + 1}"} for i, r in enumerate(fc["runs"])),
                    {**fc["no_validate"], "label": "tiny run, --no-validate"},
                    *(
                        [{**fc["fresh_prefect_home_run"], "label": "first run in a fresh PREFECT_HOME"}]
                        if "fresh_prefect_home_run" in fc
                        else []
                    ),
                    *(
                        [{**fc["ephemeral_api_run"], "label": "tiny run, Prefect's temporary API (no server)"}]
                        if "ephemeral_api_run" in fc
                        else []
                    ),
                ]
            )
        ]
        lines.append(
            _table(["run", "wall s", "start-up s", "flow s", "validate s", "shutdown s", "peak RSS MiB"], rows)
        )
        lines += ["", "Import and start-up times (a fresh `python -c ...` each, wall s):", ""]
        lines.append(_table(["what", "s"], [[k, v] for k, v in fc["imports_s"].items()]))
    from bench.peers import render_peers

    lines += render_peers(results)
    lines += ["", "## Targets", ""]
    lines.append(
        _table(
            ["target", "value", "wanted", "met"],
            [[t["name"], t["value"], t["target"], "—" if t["met"] is None else t["met"]] for t in results["targets"]],
        )
    )
    rat = results["ratios"]
    lines += ["", "Ratios per size:", ""]
    cols = [
        "s_per_mb",
        "s_per_mb_without_fixed_cost",
        "throughput_vs_lang_floor",
        "throughput_vs_lang_floor_without_fixed_cost",
        "throughput_vs_split_floor",
        "throughput_vs_langdetect_floor",
        "speedup_vs_naive",
        "rerun_vs_first",
        "rerun_flow_vs_first",
        "rerun_flow_s",
        "lang_floor_cpu_share_of_product_cpu",
        "split_floor_cpu_share_of_product_cpu",
        "lang_floor_parallel_speedup",
        "floor_measured_on",
    ]
    lines.append(
        _table(["corpus", *cols], [[f"{k} MB", *(r.get(c) for c in cols)] for k, r in rat["per_size"].items()])
    )
    if "linearity_s_per_mb_ratio" in rat:
        a, b = rat["linearity_between"]
        lines += [
            "",
            f"Scaling {a} → {b}: s/MB ratio {rat['linearity_s_per_mb_ratio']} "
            f"({rat.get('linearity_s_per_mb_ratio_without_fixed_cost')} without the fixed cost), "
            f"peak RSS ratio {rat['peak_rss_ratio']}.",
        ]
    if results.get("notes"):
        lines += ["", "## Notes", "", *(f"- {n}" for n in results["notes"])]
    return "\n".join(lines) + "\n"


def write_results(results: dict[str, Any], out_dir: Path) -> None:
    results["ratios"] = ratios(results)
    results["targets"] = targets(results)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "RESULTS.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    (out_dir / "RESULTS.md").write_text(render(results))


# ==================================================================================================


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--size", type=float, action="append", help="corpus size in MB (repeatable; default 50 and 200)"
    )
    parser.add_argument("--with-1gb", action="store_true", help="add a 1 GB corpus")
    parser.add_argument(
        "--quick",
        type=float,
        nargs="?",
        const=QUICK_SIZE,
        metavar="MB",
        help=f"one small corpus only ({QUICK_SIZE:g} MB unless given), for iterating; writes bench/out/quick/",
    )
    parser.add_argument(
        "--floors",
        choices=("each", "first", "none"),
        default="each",
        help="measure the floors on each size (default), on the smallest only (its MB/s then stand for the "
        "larger sizes), or not at all",
    )
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--naive-size", type=float, default=NAIVE_SIZE, help="corpus of the naive baseline (MB)")
    parser.add_argument("--no-fixed-cost", action="store_true", help="skip the one-file-corpus runs")
    parser.add_argument(
        "--peers-size",
        type=float,
        help="corpus of the peers (bench/peers.py: the product, the split + language floor, naive pandas + "
        "langdetect, datatrove) in MB (default 50; with --quick the quick size)",
    )
    parser.add_argument("--peers-repeats", type=int, help="runs of every peer (default 3; with --quick 1)")
    parser.add_argument("--no-peers", action="store_true", help="skip the peers")
    parser.add_argument(
        "--peers-only",
        action="store_true",
        help="measure the peers only, and put them into the RESULTS.json already in --out (the other sections "
        "keep their earlier numbers)",
    )
    parser.add_argument("--keep-prefect-api-url", action="store_true", help="use $PREFECT_API_URL if set")
    parser.add_argument(
        "--prefect-api",
        choices=("server", "ephemeral"),
        default="server",
        help="server (default): start one Prefect server for the whole benchmark and point the runs at it "
        "(how scheduled users run the product; the reruns and the tiny run are also measured once with a "
        "temporary API each, for comparison); ephemeral: every run starts Prefect's temporary API",
    )
    parser.add_argument("--out", type=Path, help="where RESULTS.json and RESULTS.md go (default bench/)")
    parser.add_argument(
        "--rerender",
        action="store_true",
        help="only recompute the ratios and RESULTS.md from the RESULTS.json in --out",
    )
    args = parser.parse_args(argv)
    if args.rerender:
        out_dir = args.out or (OUT / "quick" if args.quick else BENCH_DIR)
        write_results(json.loads((out_dir / "RESULTS.json").read_text()), out_dir)
        return 0
    if args.quick:
        sizes = [args.quick]
    else:
        sizes = sorted(set(args.size or DEFAULT_SIZES) | ({ONE_GB} if args.with_1gb else set()))
    shared = shared_dir()
    if not (shared / "corpora").is_dir():
        raise SystemExit(f"corpora not found under {shared} (set CORPUS_ETL_SHARED)")
    log = log_stderr
    OUT.mkdir(parents=True, exist_ok=True)
    use_time = _gnu_time_works()
    env = cli_env(args.keep_prefect_api_url)
    env_ephemeral: dict[str, str] | None = None
    server: PrefectServer | None = None
    if args.prefect_api == "server" and not (args.keep_prefect_api_url and env.get("PREFECT_API_URL")):
        server = PrefectServer(env, OUT / "logs" / "prefect-server.log")
        log("starting a Prefect server for the benchmark's runs")
        env_ephemeral, env = env, {**env, "PREFECT_API_URL": server.start()}
        log(f"Prefect server up in {server.start_s:.1f} s at {server.url}")
    try:
        return _main(args, sizes, env, env_ephemeral, server, use_time, shared, log, argv)
    finally:
        if server is not None:
            server.stop()


def _main(
    args: argparse.Namespace,
    sizes: list[float],
    env: dict[str, str],
    env_ephemeral: dict[str, str] | None,
    server: PrefectServer | None,
    use_time: bool,
    shared: Path,
    log: Log,
    argv: list[str],
) -> int:
    out_dir = args.out or (OUT / "quick" if args.quick else BENCH_DIR)
    naive_size = args.naive_size if args.naive_size in sizes else sizes[0]
    # The harness itself resolves Settings from the same environment as the CLI.
    t_all = time.perf_counter()
    if args.peers_only:
        log(f"bench: peers only, shared {shared}")
    else:
        log(f"bench: sizes {[f'{s:g} MB' for s in sizes]}, floors {args.floors}, shared {shared}")
    pool = load_stories(shared)
    log(f"stories: {pool.facts['reuters_stories']} Reuters + {pool.facts['bbc_articles']} BBC")
    from corpus_etl.settings import Settings

    st = Settings()
    results: dict[str, Any] = {
        "argv": argv,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "partial": True,
        "seed": SEED,
        "machine": machine_facts(),
        "code": {"start": code_version()},
        "settings": {
            "workers": st.n_workers,
            "batch_files": st.batch_files,
            "batch_bytes": st.batch_bytes,
            "lang_sample_chars": st.lang_sample_chars,
            "validate_data": st.validate_data,
        },
        "measurement": {
            "gnu_time": use_time,
            "rss_poll_seconds": POLL_SECONDS,
            "prefect_api": (
                f"a Prefect server started once by the benchmark (in {server.start_s} s, not counted in the runs)"
                if server is not None
                else env.get("PREFECT_API_URL")
                or f"temporary local API per run (PREFECT_HOME={PREFECT_HOME.relative_to(REPO)})"
            ),
            "mb": "10**6 bytes",
        },
        "stories": pool.facts,
        "sizes": {},
        "notes": [],
    }
    if args.peers_only:
        old = out_dir / "RESULTS.json"
        if old.is_file():
            results = json.loads(old.read_text())
        results["peers"] = _measure_peers(args, pool, env, use_time, log, argv)
        write_results(results, out_dir)
        log(f"peers done in {(time.perf_counter() - t_all) / 60:.1f} min: {out_dir / 'RESULTS.md'}")
        return 0
    if not args.no_fixed_cost:
        results["fixed_cost"] = measure_fixed_cost(pool, env, use_time, log)
        if env_ephemeral is not None:
            wh = OUT / "wh-tiny"
            shutil.rmtree(wh, ignore_errors=True)
            log("fixed cost: tiny run with Prefect's temporary API (no server)")
            results["fixed_cost"]["ephemeral_api_run"] = _tiny_run(
                tiny_corpus(pool), wh, env_ephemeral, "tiny-ephemeral-api", use_time
            )
        write_results(results, out_dir)
    for i, size in enumerate(sizes):
        floors = args.floors == "each" or (args.floors == "first" and i == 0)
        naive = not args.no_naive and size == naive_size
        res, records = measure_size(size, pool, env, use_time, floors, naive, log, env_ephemeral)
        results["sizes"][f"{size:g}"] = res
        write_results(results, out_dir)
        if naive and records is not None:
            log(f"{size:g} MB: naive baseline (pandas + langdetect on full bodies, 1 process)")
            nb = naive_baseline(records, OUT / f"naive-{size_label(size)}.parquet")
            nb["size_mb"] = size
            nb["mb_per_s"] = round(res["product"]["mb"] / nb["seconds"], 4)
            results["naive_baseline"] = nb
            log(f"{size:g} MB: naive baseline {nb['seconds']:.1f} s")
        del records
        write_results(results, out_dir)
    if not args.no_peers:
        results["peers"] = _measure_peers(args, pool, env, use_time, log, argv)
        write_results(results, out_dir)
    results["code"]["end"] = code_version()
    results["code"]["changed_during_run"] = (
        results["code"]["end"]["product_sha256"] != results["code"]["start"]["product_sha256"]
    )
    if results["code"]["changed_during_run"]:
        results["notes"].append(
            "The product's files changed while the benchmark ran: runs may have measured different code."
        )
    if args.floors == "first" and len(sizes) > 1:
        results["notes"].append(
            f"Floors were measured on the {sizes[0]:g} MB corpus only; the ratios of larger sizes use its MB/s."
        )
    results["total_seconds"] = round(time.perf_counter() - t_all, 1)
    results["partial"] = False
    write_results(results, out_dir)
    log(f"done in {results['total_seconds'] / 60:.1f} min: {out_dir / 'RESULTS.md'}")
    return 0


def _measure_peers(
    args: argparse.Namespace, pool: StoryPool, env: dict[str, str], use_time: bool, log: Log, argv: list[str]
) -> dict[str, Any]:
    from bench.peers import DEFAULT_PEERS_SIZE, DEFAULT_REPEATS, measure_peers

    size = args.peers_size or (args.quick or DEFAULT_PEERS_SIZE)
    repeats = args.peers_repeats or (1 if args.quick else DEFAULT_REPEATS)
    start = code_version()
    date = datetime.now(UTC).isoformat(timespec="seconds")
    res = measure_peers(size, pool, env, use_time, repeats, log)
    end = code_version()
    res.update(argv=argv, date=date, code=start, changed_during_run=start["product_sha256"] != end["product_sha256"])
    return res


if __name__ == "__main__":
    sys.exit(main())
