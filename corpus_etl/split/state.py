"""The state of one split that the passes read and write (``SplitState``), and its bookkeeping.

The text and its logical lines, the rules and options; the pieces (every classified part of a line, kept for a
record or removed with a rule), the records (``RawRecord``) with what opened each and the page it is on; the
caches and models the passes share. Its methods are the small operations several passes do: open and close a
record and record a piece (``remove``, ``keep``), match a line's rule, take a block of paragraphs as a record's
body, drop a record, find each page's main article, and describe the split as the line model reads it
(``rule_view``). The passes themselves are functions of a ``SplitState`` (``corpus_etl.split.run.PASSES``).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..boundary import BoundaryModel, BoundaryScorer
from ..boundary import load_model as load_boundary_model
from ..kinds import RELATED_SECTION
from ..rules import LineRule, Rules
from .lines import is_headline, is_prose, logical_lines, words
from .options import Piece, RawRecord, RecordIndex, SplitOptions, SplitResult
from .rule_groups import LOW_CONTENT, MENU_CHROME, PAGE_CHROME, REPEATS, RULE_CHROME_SHARE, VIEW_INDEX

if TYPE_CHECKING:  # (titles imports this package)
    from ..titles import PageIndex


class SplitState:
    """One split of one text: what every pass reads and changes (see the module's docstring).

    Made once per split (``split_text`` makes a second one for a second pass when the page model finds pages);
    ``page_starts`` are the lines where the page model said a page starts on the first pass."""

    def __init__(
        self,
        text: str,
        rules: Rules,
        opts: SplitOptions,
        learned: frozenset[str] = frozenset(),
        page_starts: frozenset[int] = frozenset(),
        collection: frozenset[str] = frozenset(),
    ) -> None:
        self.text = text
        self.learned = learned  # line hashes learned as the outlet's boilerplate (corpus_etl.learned)
        # line hashes of the paragraphs the file repeats across unrelated clusters (learned.collection_repeats)
        self.collection = collection
        self._repeat_rules: dict[int, str | None] = {}
        self.rules = rules
        self.opts = opts
        self.lines = logical_lines(text)
        self.line_starts = [ln.start for ln in self.lines]  # (``line_of``)
        self.pieces: list[Piece] = []  # (appended to by ``remove`` and ``keep`` only)
        self._index = RecordIndex()  # the pieces by record (``pieces_of``)
        # the pieces by start (``pieces_by_start``), for the list and length they were sorted from
        self._by_start: list[Piece] = []
        self._by_start_starts: list[int] = []
        self._by_start_of: list[Piece] | None = None
        self._by_start_n = -1
        self._longest_piece = 0
        self.records: list[RawRecord] = []
        self.cur: int | None = None  # index of the open record
        self.main: int | None = None  # index of the current page's main article
        self.zone = "main"
        self._rule_cache: dict[int, LineRule | None] = {}
        self._web_chrome: bool | None = None
        self.repeated = self._repeated_lines()
        counts = Counter(ln.text for ln in self.lines)
        # A headline-like line printed more than twice (a recurring interview question, a section
        # label) is a subheading, never the headline of a new article; not when the same running text follows it
        # every time (a story the file holds twice, a syndicated copy: its headline opens each copy).
        doubled = self._doubled()
        recurring = {t for t, c in counts.items() if c > 2 or (c == 2 and t not in doubled)}
        after: dict[str, set[str]] = {}
        for a, b in zip(self.lines, self.lines[1:], strict=False):
            if a.text in recurring:
                after.setdefault(a.text, set()).add(b.text)
        self.recurring = {t for t in recurring if not _one_story(t, after.get(t, set()))}
        self.open_reason: list[str] = []  # per record: what opened it (see open_record)
        # per page (a new page's chrome or a separator line starts the next; ``page_no`` is the last one's index):
        # no title of its records lies before this character (the line that opened it, when a rule that marks a
        # page's start did: "Skip to main content"; else the page before's)
        self.page_offsets = [0]
        self.page_begins = [0]  # where each page begins, whatever started it (``new_page``)
        # ... and what set it: a page start 'rule', the site 'footer' line that ended the page before, a 'guess' (a run
        # of menu lines), the page 'model' or a guess a later site footer line moved down ('guess_footer')
        self.page_begun_by = ["rule"]
        self.menu_lines_on_page = 0  # menu-like lines since the page began (not only in a row: ``menu_run``)
        self.menu_run = 0  # menu-like lines removed in a row
        self.removed_run = 0  # pieces removed since the last kept one
        self.chrome_seen = 0  # lines removed so far by a rule that marks a web page (PAGE_CHROME)
        self.record_page: list[int] = []  # per record: the page it is on
        self.page = False  # set by detect_page: the text is a web page
        self.stops: frozenset[str] | None = None  # stopwords of the page's language (chosen lazily)
        self.para_opts = opts.paragraphs
        self.initial_classes: dict[str, str] = {}  # the classifier's initial class by paragraph text
        # a web page's article paragraphs before trimming: (start, end, text, record) (see recall_fallback)
        self.pretrim: list[tuple[int, int, str, int]] = []
        # P(opens an article) of a block-opening line, asked for where the splitter decides (boundary.py)
        self.bmodel: BoundaryModel | None = load_boundary_model() if opts.boundary_model else None
        self.boundaries = BoundaryScorer(text, self.lines, rules, opts, self.bmodel)
        # rule_view() kept after the decisions of the rules (see rules_view_of; the line model's training)
        self.capture_view = False
        self.title_index: PageIndex | None = None  # the title model's index of the lines (choose_titles)
        self.titles_asked: dict[int, tuple[int, int]] = {}  # record -> (body line, first line) asked about
        self.view: list[tuple[int, int, int]] = []
        # lines where a page starts by the page model's decision on an earlier pass (split_text)
        self.page_starts = page_starts
        self.found_page_starts: set[int] = set()  # ... and where it says one starts on this pass
        self.unsplit_gaps: dict[int, float] = {}  # line -> the page model's probability, below its threshold
        self.capture_gaps: list[tuple[int, list[Any]]] | None = None  # (first line, gaps) per page (training)
        # the line model's class shares of each line it read (line -> shares of ``line_share_classes``)
        self.line_shares: dict[int, Any] = {}
        # lines the 'story continues' override made body though the line model did not (``continued_story``): the
        # wire-brief passes judge a story by what the classifiers kept, without them
        self.continued: set[int] = set()
        self.line_share_classes: tuple[str, ...] = ()
        # the record model's rows and records on the text's last pass (its training; no record is demoted)
        self.capture_records: list[Any] | None = None
        self.result: SplitResult | None = None  # the records and removed spans (set by the last pass, assemble)

    def _repeated_lines(self) -> set[str]:
        """Short non-prose lines that occur more than once, not merely as a doubled headline, nor a wire dateline
        that states the day (a file of wire stories repeats one for every story filed there that day), nor, in a
        text with no web chrome (``web_chrome``), the headline of a story the file holds twice or more: a
        headline-like line over the same running text every time (``_one_story``; removed, the story lost its title
        and, joined by a blank line, was glued to the story before)."""
        from .passes.briefs import dated_dateline  # cycle: the passes import this module

        where: dict[str, list[int]] = {}
        for i, ln in enumerate(self.lines):
            if words(ln.text) <= self.opts.repeated_line_max_words:
                where.setdefault(ln.text, []).append(i)
        out = set()
        for text, idx in where.items():
            if len(idx) < 2 or is_prose(text) or dated_dateline(self, text):
                continue
            if len(idx) == 2 and idx[1] - idx[0] == 1:
                continue  # "Headline / Headline": handled as a duplicate title
            if self._story_headline(text, idx):
                continue
            out.add(text)
        # A longer line printed three times or more that is no sentence: a caption or a widget title
        # (a line printed twice in a row, "Headline / Headline", counts once).
        long_counts = Counter(
            ln.text
            for k, ln in enumerate(self.lines)
            if words(ln.text) > self.opts.repeated_line_max_words
            and not is_prose(ln.text)
            and not (k and self.lines[k - 1].text == ln.text)
        )
        out.update(t for t, c in long_counts.items() if c >= 3)
        return out

    def _story_headline(self, text: str, idx: list[int]) -> bool:
        """Whether ``text``, printed at lines ``idx``, opens the same story each time in a text with no web chrome: the
        same running text follows every print (``_one_story``), or the same wire dateline stating the day (a brief's
        "NEW BRITAIN, Conn., March 4 -" over its rows)."""
        from .passes.briefs import dated_dateline  # cycle: the passes import this module

        if not is_headline(text, self.opts) or any(i + 1 >= len(self.lines) for i in idx):
            return False
        followers = {self.lines[i + 1].text for i in idx}
        dated = len(followers) == 1 and dated_dateline(self, next(iter(followers)))
        if not (_one_story(text, followers) or dated):
            return False
        return not self.web_chrome

    def _doubled(self) -> set[str]:
        """Lines printed twice in a row ("Headline / Headline")."""
        return {a.text for a, b in zip(self.lines, self.lines[1:], strict=False) if a.text == b.text}

    @property
    def page_no(self) -> int:
        """The current page's index (pages seen so far, the first one 0)."""
        return len(self.page_offsets) - 1

    def site_header_since_footer(self) -> bool:
        """Whether the current page began at a site footer line ("© 2012 AOL Inc. All rights reserved") and a site's
        header followed it (``zone_end_menu_lines`` menu-like lines since): the next site's page, not the page
        before's tail (where a wire copyright line sits between an article and its comments)."""
        footer = self.page_begun_by[-1] in ("footer", "guess_footer")
        return footer and self.menu_lines_on_page >= self.opts.zone_end_menu_lines

    def page_found_by_model(self) -> bool:
        """Whether the current page began where the page model found one (``page_starts``; no footer line since)."""
        return self.page_begun_by[-1] == "model"

    def page_main(self, across_guessed_pages: bool = False) -> RawRecord | None:
        """The current page's main article: the last article record opened, if it was opened on this page (the one
        before a page start belongs to the page before). ``across_guessed_pages``: only a page start rule's line
        ("Skip to main content": ``page_offsets``) ends its page; a page a footer, a run of menu lines or the page
        model started is a guess, often inside one page (a wire copyright line between an article and its comments)."""
        if self.main is None:
            return None
        page = self.record_page[self.main]
        if page != self.page_no and not (across_guessed_pages and self.page_offsets[page] == self.page_offsets[-1]):
            return None
        return self.records[self.main]

    def page_start_of(self, record: int) -> int:
        """Where the page of ``record`` starts as a page start rule's line opened it (``page_offsets``; a page a
        footer, a run of menu lines or the page model started is part of the page before)."""
        return self.page_offsets[self.record_page[record]]

    @property
    def glued_pages(self) -> bool:
        """Whether the text is web pages glued together: two page start rules' lines or more ("Skip to main
        content"; ``page_offsets`` holds offset 0 besides them)."""
        seen: set[int] = set()
        for offset in self.page_offsets:  # (three distinct are enough: asked once a record, of a file's many pages)
            seen.add(offset)
            if len(seen) >= 3:
                return True
        return False

    def page_begin_of(self, record: int) -> int:
        """Where the page of ``record`` is known to begin (``page_begins``): at a page start rule's line, or at the end
        of the site footer line that ended the page before ("© 2012 ... All rights reserved"). A page that a run of
        menu lines or the page model started begins no later than the page before it (those are guesses, and where a
        run of menu lines began the header is not known: a share row under a headline is such a run)."""
        return self.page_begins[self.record_page[record]]

    def title_floor(self, record: int) -> int:
        """The first character a title of ``record`` may start at: where its page begins (``page_begin_of``) when its
        body starts there or later, else where a page start rule's line opened its page (``page_start_of``: the line
        model gave it body lines above the footer line its page began at)."""
        begin = self.page_begin_of(record)
        spans = self.records[record].paragraph_spans
        return begin if not spans or spans[0][0] >= begin else self.page_start_of(record)

    def new_page(self, at: int | None = None, begin: int | None = None, model: bool = False) -> None:
        """The next page starts; at character ``at`` when a page start rule's line opens it (``page_offsets``), else
        at character ``begin`` when known (the end of a site footer line: ``page_begins`` only). ``model``: where the
        page model found it (``page_starts``; a guess, as a run of menu lines is)."""
        self.page_offsets.append(self.page_offsets[-1] if at is None else at)
        self.page_begins.append(at if at is not None else begin if begin is not None else self.page_begins[-1])
        by = "rule" if at is not None else "footer" if begin is not None else "model" if model else "guess"
        self.page_begun_by.append(by)
        self.menu_lines_on_page = 0

    def footer_line_ends_header(self, end: int) -> None:
        """A footer line ("© 2012 ... All rights reserved") ending at character ``end`` on a page that a run of menu
        lines started, before its article began (the caller's test): the page before's footer reaches down to here,
        so the page begins no earlier than ``end`` (``page_begins``)."""
        if self.page_begun_by[-1] in ("guess", "guess_footer", "model"):
            self.page_begins[-1] = max(self.page_begins[-1], end)
            self.page_begun_by[-1] = "guess_footer"
            self.menu_lines_on_page = 0

    def remove(self, start: int, end: int, rule: str) -> None:
        self._add(Piece(start, end, "removed", rule, self.cur))
        self.removed_run += 1
        if rule in PAGE_CHROME and rule not in REPEATS:  # (as passes.records._is_page counts them)
            self.chrome_seen += 1

    def _add(self, piece: Piece) -> None:
        self._index.add(piece, len(self.pieces))
        self.pieces.append(piece)

    def keep(self, start: int, end: int, role: str) -> None:
        assert self.cur is not None
        self._add(Piece(start, end, role, None, self.cur))
        self.removed_run = 0

    def open_record(self, reason: str = "break") -> RawRecord:
        """Open a record; ``reason`` says what opened it: 'break' (nothing was open: start of the text,
        a page start, a related block), or the headline test's reason ('opener', 'layout', 'topic')."""
        rec = RawRecord(kind="article")
        if self.zone == "related":
            rec.set_kind("related", RELATED_SECTION)
        self.records.append(rec)
        self.open_reason.append(reason)
        self.record_page.append(self.page_no)
        self.cur = len(self.records) - 1
        if rec.kind == "article":
            self.main = self.cur
        return rec

    def close(self) -> None:
        self.cur = None

    def current(self) -> RawRecord | None:
        return None if self.cur is None else self.records[self.cur]

    def rule_at(self, i: int) -> LineRule | None:
        """The line rule matching line ``i`` (each line is matched once)."""
        if i not in self._rule_cache:
            self._rule_cache[i] = self.rules.match_line(self.lines[i].text)
        return self._rule_cache[i]

    def is_learned(self, i: int) -> bool:
        """Whether line ``i`` is a line learned as the outlet's boilerplate or as the collection's."""
        return self.repeat_rule(i) is not None

    def repeat_rule(self, i: int) -> str | None:
        """The rule removing line ``i`` as learned boilerplate: 'learned_repeat' (the outlet's lines, never a wire
        dateline that states the day: a folder of wire stories repeats one for every story filed that day),
        'collection_repeat' (the paragraphs the file repeats across clusters), or None."""
        if not self.learned and not self.collection:
            return None
        if i not in self._repeat_rules:
            from ..learned import line_hash, outlet_line_hash  # cycle: learned imports this module
            from .passes.briefs import dated_dateline  # cycle: the passes import this module

            text = self.lines[i].text
            rule = None
            if (
                self.learned
                and outlet_line_hash(text) in self.learned
                and not dated_dateline(self, text)
                and not self._repeated_story_headline(i)
            ):
                rule = "learned_repeat"
            elif self.collection and line_hash(text) in self.collection:
                rule = "collection_repeat"
            self._repeat_rules[i] = rule
        return self._repeat_rules[i]

    def _repeated_story_headline(self, i: int) -> bool:
        """Whether line ``i``, learned as the outlet's boilerplate, is the headline of a story the folder holds in
        ``learned_min_files`` files or more (a wire story filed again, a page saved again): a headline-like line right
        over running text (a next line of ``PROSE_MIN_WORDS`` words or more that no rule removes, or a wire dateline
        stating the day: a brief's "NEW BRITAIN, Conn., March 4 -" over its rows), in a text with no web chrome
        (``web_chrome``; a site's name printed over each story's lede on its pages stays learned). Removed, the story
        lost its title and, in a file of stories joined by a blank line, was glued to the one before."""
        from ..learned import PROSE_MIN_WORDS  # cycle: learned imports this module
        from .passes.briefs import dated_dateline  # cycle: the passes import this module

        if self.web_chrome or not is_headline(self.lines[i].text, self.opts):
            return False
        nxt = next((j for j in range(i + 1, len(self.lines)) if self.lines[j].text.strip()), None)
        if nxt is None or self.rule_at(nxt) is not None:
            return False
        text = self.lines[nxt].text
        return (words(text) >= PROSE_MIN_WORDS and is_prose(text)) or dated_dateline(self, text)

    @property
    def web_chrome(self) -> bool:
        """Whether the text shows web chrome: line rules of web chrome (``PAGE_CHROME``, not a repeat) match lines
        with a letter, ``page_min_chrome_lines`` or more, as densely as a page's rule-read chrome must be
        (``RULE_CHROME_SHARE`` of ``page_min_chrome_per_1000_words``; a few lines a rule reads as chrome among 1,800
        wire stories are no web chrome). Computed once."""
        if self._web_chrome is None:
            chrome = PAGE_CHROME - REPEATS
            n = n_words = 0
            for j, ln in enumerate(self.lines):
                n_words += words(ln.text)
                r = self.rule_at(j)
                if r is not None and r.name in chrome and any(c.isalpha() for c in ln.text):
                    n += 1
            self._web_chrome = n >= self.opts.page_min_chrome_lines and rule_chrome_dense(n, n_words, self.opts)
        return self._web_chrome

    def demote_title(self, record: int | None, rule: str) -> None:
        for p in reversed(self.pieces):
            if p.record == record and p.role == "title":
                p.role, p.rule = "removed", rule
                return

    def drop_record(self, idx: int, rule_of: Callable[[Piece], str]) -> None:
        """Remove every kept piece of record ``idx`` (rule ``rule_of`` gives each its reason); the record, empty,
        is then no record (``assemble``)."""
        for p in self.pieces_of(idx):
            if p.role != "removed":
                p.role, p.rule, p.record = "removed", rule_of(p), None
        rec = self.records[idx]
        rec.paragraphs, rec.paragraph_spans, rec.body_words, rec.title = [], [], 0, None

    def take_block(
        self,
        target: int,
        chosen: list[tuple[int, int, str, int]],
        rule_of: Callable[[Piece], str] | None = None,
    ) -> None:
        """Make the paragraphs ``chosen`` (start, end, text, record; in text order) the body of record
        ``target``; its other body paragraphs and whatever other records kept between its old and new text
        are removed ('recall_fallback', or the rule ``rule_of`` gives the piece)."""
        rec = self.records[target]
        mine = [p for p in self.pieces_of(target) if p.role != "removed"]
        lo = min([chosen[0][0], *(p.start for p in mine)])
        hi = max([chosen[-1][1], *(p.end for p in mine)])
        # (the pieces by start, kept between calls: a whole pass of take_block calls re-sorted them each time)
        ordered, starts, _ = self.pieces_by_start()
        restored: dict[int, Piece] = {}
        for a, b, _, _ in chosen:
            # the last body or removed piece starting at or before ``a`` that holds [a, b)
            j = bisect.bisect_right(starts, a) - 1
            while j >= 0:
                q = ordered[j]
                if q.role in ("body", "removed") and q.start <= a and b <= q.end:
                    break
                j -= 1  # (a removed piece of another rule may start inside the line: a glued alt text)
            if j >= 0:
                restored[id(ordered[j])] = ordered[j]
        touched: set[int] = set()
        for p in restored.values():
            if p.record is not None and p.record != target:
                touched.add(p.record)
            p.role, p.rule, p.record = "body", None, target
        # every other piece starting in [lo, hi) (each piece's change depends on that piece alone)
        for k in range(bisect.bisect_left(starts, lo), bisect.bisect_left(starts, hi)):
            p = ordered[k]
            if id(p) not in restored and (p.record != target or p.role == "body"):
                if p.role != "removed":
                    if p.record is not None and p.record != target:
                        touched.add(p.record)
                    p.role, p.rule = "removed", rule_of(p) if rule_of else "recall_fallback"
                p.record = target
        rec.set_kind("article")
        rec.paragraphs = [t for _, _, t, _ in chosen]
        rec.paragraph_spans = [(a, b) for a, b, _, _ in chosen]
        rec.body_words = sum(words(t) for t in rec.paragraphs)
        for idx in touched:  # what other records lost to the block
            other = self.records[idx]
            keep = [k for k, (a, _) in enumerate(other.paragraph_spans) if not lo <= a < hi]
            other.paragraphs = [other.paragraphs[k] for k in keep]
            other.paragraph_spans = [other.paragraph_spans[k] for k in keep]
            other.body_words = sum(words(t) for t in other.paragraphs)
            if self.title_piece(idx) is None:
                other.title = None

    def line_of(self, offset: int) -> int:
        """The index of the line holding character ``offset`` (the last line starting at or before it)."""
        return bisect.bisect_right(self.line_starts, offset) - 1

    def piece_lines(self) -> tuple[set[int], set[int], dict[int, int]]:
        """The lines where a removed piece starts, the lines where a kept piece of a record starts, and per record
        the line of its first kept piece (records with none are left out)."""
        removed: set[int] = set()
        kept: set[int] = set()
        first: dict[int, int] = {}
        for p in self.pieces:
            line = self.line_of(p.start)
            if p.role == "removed":
                removed.add(line)
            elif p.record is not None:
                kept.add(line)
                first[p.record] = min(first.get(p.record, line), line)
        return removed, kept, first

    def pieces_of(self, record: int) -> list[Piece]:
        """The pieces of record ``record`` (whatever their role), in the order of ``pieces``."""
        return self._index.of(record)

    def shift_records(self, first: int) -> None:
        """Renumber the pieces of records ``first`` and after by one (a record is inserted before them)."""
        self._index.shift(first)

    def title_piece(self, record: int) -> Piece | None:
        """The first piece of record ``record`` in the role 'title', if any."""
        return next((p for p in self._index.of(record) if p.role == "title"), None)

    def pieces_by_start(self) -> tuple[list[Piece], list[int], int]:
        """The pieces sorted by start (ties in the order they were recorded), their starts, and the length of the
        longest piece. Pieces are only ever appended and a piece's span never changes, so this is kept until a
        piece is added (a pass's roles and records change; read those from the pieces themselves)."""
        if self._by_start_of is not self.pieces or self._by_start_n != len(self.pieces):
            self._by_start = sorted(self.pieces, key=lambda p: p.start)
            self._by_start_starts = [p.start for p in self._by_start]
            self._longest_piece = max((p.end - p.start for p in self.pieces), default=0)
            self._by_start_of, self._by_start_n = self.pieces, len(self.pieces)
        return self._by_start, self._by_start_starts, self._longest_piece

    def page_mains(self) -> dict[int, int]:
        """Page -> its main article: the article record with the most body characters."""
        mains: dict[int, int] = {}
        chars: dict[int, int] = {}
        for idx, rec in enumerate(self.records):
            if rec.kind == "article" and rec.paragraphs:
                n = sum(len(t) for t in rec.paragraphs)
                page = self.record_page[idx]
                if n > chars.get(page, -1):
                    mains[page], chars[page] = idx, n
        return mains

    def rule_view(self) -> list[tuple[int, int, int]]:
        """What the rules made of the text, as the line model reads it: ``(start, end, group)`` of every piece
        in text order, ``group`` an index into ``RULE_VIEW_GROUPS`` (the body, title or metadata of its page's
        main article, the body of another article, a related record, other kept text; removed as menu
        chrome, as low content, as reader comments, or by another rule)."""
        mains = set(self.page_mains().values())
        out: list[tuple[int, int, int]] = []
        for p in sorted(self.pieces, key=lambda p: p.start):
            if p.role == "removed":
                rule = p.rule or ""
                if rule in MENU_CHROME:
                    g = "removed_menu"
                elif rule in LOW_CONTENT:
                    g = "removed_low_content"
                elif "comment" in rule:
                    g = "removed_comment"
                else:
                    g = "removed_other"
            else:
                rec = self.records[p.record] if p.record is not None else None
                main = p.record in mains
                if rec is not None and rec.kind == "related":
                    g = "related"
                elif p.role == "body":
                    g = "main_body" if main else "article_body"
                elif p.role == "title":
                    g = "main_title" if main else "other_kept"
                else:
                    g = "main_meta" if main else "other_kept"
            out.append((p.start, p.end, VIEW_INDEX[g]))
        return out


def rule_chrome_dense(n_lines: int, n_words: int, opts: SplitOptions) -> bool:
    """Whether ``n_lines`` lines a rule reads as web chrome (not repeats) among ``n_words`` words are as dense as a
    page's must be: ``RULE_CHROME_SHARE`` of ``page_min_chrome_per_1000_words`` (``passes.records._is_page``,
    ``SplitState.web_chrome``)."""
    return n_lines * 1000 >= RULE_CHROME_SHARE * opts.page_min_chrome_per_1000_words * n_words


def _one_story(line: str, followers: set[str]) -> bool:
    """Whether a line printed more than once opens the same story each time: one line follows every print of it,
    running text of five words or more (not the line itself: a caption under each photo)."""
    if len(followers) != 1:
        return False
    (nxt,) = followers
    return nxt != line and words(nxt) >= 5 and is_prose(nxt)
