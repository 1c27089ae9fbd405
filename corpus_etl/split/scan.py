"""The rules' line-by-line pass (``scan``, the first pass): each logical line in turn is classified with the rules
file (chrome, a tag line, a byline, a date line, an author block, a headline, running text) and a small state machine
groups the lines into records: it opens a record at a headline or a line the boundary model says opens an article,
a related zone after an "Editors' Recommendations"-style heading, a comments zone, a new page after a page's chrome.

Reads the lines, the rules, the learned lines, ``page_starts``; writes the pieces, the records (their titles,
paragraphs and metadata), ``open_reason`` and ``record_page``.
"""

from __future__ import annotations

import re

from .lines import (
    LIST_BULLET,
    Line,
    cosine,
    is_figures_line,
    is_headline,
    is_navigation_list,
    is_prose,
    is_standfirst,
    menu_items,
    parse_byline,
    parse_date_line,
    parse_tags,
    topic_vector,
    words,
)
from .options import RawRecord
from .passes.briefs import bare_dateline, states_the_day
from .rule_groups import MENU_CHROME
from .state import SplitState

# a link of a list's pages: "* 2", "+ Next", "« Previous", "* All", "Latest" (under comments: a thread's pages)
_PAGE_LINK = re.compile(
    r"(?:[*+•·-]\s*)?(?:[«»‹›]+\s*)?"
    r"(?:\d{1,4}|next|previous|prev|latest|oldest|newest|first|last|all|older|newer|[«»‹›]+)(?:\s*[«»‹›]+)?",
    re.IGNORECASE,
)
# a line opening with these goes on the sentence above it: no article's first line (scraped text whose links were
# dropped: "On Tuesday," / "finished top of their group ...")
_CONTINUES = frozenset(",;:)]")
_ZERO_COUNT = re.compile(r"^\D*(?<!\d)0(?!\d)\D*$")  # a line whose only number is 0
_FOOTER_YEAR = re.compile(r"(?:19|20)\d\d")
# A blog platform's credit in a site's footer ("Powered by WordPress.com", "Theme: Kubrick. Blog at WordPress.com.",
# "Blog powered by TypePad"; not a widget's "Powered by FeedBlitz"): under reader comments it ends the page, what
# follows is another page.
_PLATFORM_CREDIT = re.compile(
    r"(?:.{0,60}[.|·•]\s+)?(?:blog\s+)?(?:proudly\s+)?(?:powered\s+by|blog\s+at)\s+(?:wordpress|blogger|tumblr|typepad|"
    r"movable\s+type|squarespace|ghost|drupal|joomla|wix)(?:\.com|\.org)?(?:\s+vip)?\.?(?:\s*[|·•].{0,60})?",
    re.IGNORECASE,
)
# (also a footer list's item: "* © Copyright 2006-2011 Bike Hugger™")
_FOOTER_OPENING = re.compile(rf"\s*(?:{LIST_BULLET.pattern}\s*)?(?:©|\(c\)|copyright\b)", re.IGNORECASE)
_SEGMENT_OPENING_WORDS = 10  # in an explicit segment, a line of this many words opens the article (see step)


def scan(st: SplitState) -> None:
    """Read the lines in order (``step``), opening and filling records and recording every piece.

    Reads the lines, the rules, the learned lines and ``page_starts``; writes the pieces, the records (titles,
    paragraphs, metadata, body words), ``open_reason`` and ``record_page``, and the scan's own state (``cur``, ``main``,
    ``zone``, ``page_no``, the runs).
    """
    i = 0
    n = len(st.lines)
    while i < n:
        i = step(st, i)


def step(st: SplitState, i: int) -> int:
    """Classify line ``i`` (and the lines an author block takes with it): record its pieces, open or close records,
    change zone and page. The index of the next line to read."""
    ln = st.lines[i]
    text = ln.text
    start = ln.start
    rec = st.current()
    if i in st.page_starts:  # the page model's page start (see passes.bodies.line_model_bodies)
        if rec is not None:
            st.close()
            rec = None
        st.zone = "main"
        st.new_page(model=True)

    # Alt text glued onto the start of a sentence.
    for prefix in st.rules.prefixes:
        m = prefix.regex.match(text)
        if m and len(text) >= 60 and is_prose(text):
            cut = m.end("cut")
            raw_cut = _raw_offset(st, ln, cut)
            st.remove(start, raw_cut, prefix.name)
            text = text[cut:].lstrip()
            start = raw_cut
            break

    # A headline printed twice, or with " - image" after it.
    if rec is not None and rec.title and not rec.paragraphs and text.casefold() == rec.title.casefold():
        st.remove(start, ln.end, "duplicate_title")
        return i + 1

    rule = st.rule_at(i) if text == ln.text else st.rules.match_line(text)
    if st.zone == "comments" and _PAGE_LINK.fullmatch(text):
        pass  # a thread's page links ("* Latest * 1 * 2 * Next * All") are no next page's header: the run stands
    elif (rule is not None and rule.name in MENU_CHROME) or (rule is None and is_navigation_list(text)):
        items = menu_items(text)  # a list flattened onto one line counts as its items
        before = st.menu_run
        st.menu_run += items
        st.menu_lines_on_page += items
        if st.zone != "main" and before < st.opts.zone_end_menu_lines <= st.menu_run:
            # a run of menu lines under comments or teasers: the next page's header
            st.close()
            st.zone = "main"
            st.new_page()
    else:
        st.menu_run = 0
    if rule is not None:
        if rule.effect == "page_start":
            if rec is not None and (rec.paragraphs or rec.title):
                st.close()
            st.zone = "main"
            st.new_page(ln.start)
        elif rule.effect == "page_end":
            if page_end(st, text):
                st.close()
                st.zone = "main"
                st.new_page(begin=ln.end if opens_as_site_footer(text) else None)
            elif opens_as_site_footer(text) and not _article_begun(st, st.page_main()):
                st.footer_line_ends_header(ln.end)
        elif rule.effect == "related_start":
            if _article_begun(st, st.page_main()):
                st.close()
                st.zone = "related"
            # before any article body it is a menu heading: removed, nothing else changes
        elif rule.effect == "related_sep" and st.zone == "related":
            st.close()
        elif rule.effect == "comments_start":
            # (across a page a footer line guessed, unless a site's header followed the footer: the next site's
            # "Comment" link over its article is no comments heading of the page before's article; never across a page
            # the page model found: it read the body under the heading as another page's, "View all Comments" over it)
            own_page = st.site_header_since_footer() or st.page_found_by_model()
            main = st.page_main(across_guessed_pages=not own_page)
            if main is not None and _article_begun(st, main) and _comments_follow(st, i, main.body_words):
                st.close()
                st.zone = "comments"
        st.remove(start, ln.end, rule.name)
        return i + 1
    if st.zone == "comments":  # reader comments under an article are not records
        st.remove(start, ln.end, "comments")
        if _PLATFORM_CREDIT.fullmatch(text):  # the site's footer: the comments and the page end here
            st.zone = "main"
            st.new_page(begin=ln.end)
        return i + 1
    if text == ln.text and (repeat := st.repeat_rule(i)):
        st.remove(start, ln.end, repeat)
        return i + 1
    if text in st.repeated:
        st.remove(start, ln.end, "repeated_line")
        return i + 1
    if is_navigation_list(text):
        st.remove(start, ln.end, "navigation_list")
        return i + 1

    # A dateline on a line of its own after a body may open the next (untitled) story.
    if rec is not None and st.rules.dateline.match(text) and (reason := _starts_untitled_record(st, rec, i)):
        st.close()
        rec = st.open_record(reason)

    # Metadata lines.
    tag = st.rules.tag.fullmatch(text)
    if tag:
        if rec is None or (st.zone == "related" and rec.paragraphs):
            rec = st.open_record()
        rec.tags.extend(t for t in parse_tags(tag.group("tags")) if t not in rec.tags)
        st.keep(start, ln.end, "tags")
        return i + 1
    published = parse_date_line(text, st.rules) if words(text) <= 16 else None
    if published and rec is not None and not rec.paragraphs and rec.published is None:
        rec.published = published
        st.keep(start, ln.end, "date")
        return i + 1
    if published:  # a timestamp line elsewhere on the page ("Updated: Nov 19, 2019 6:55 AM")
        st.remove(start, ln.end, "date_line")
        return i + 1
    byline = parse_byline(text, st.rules)
    if byline:
        if rec is None:
            rec = st.open_record()
        rec.authors.extend(a for a in byline[0] if a not in rec.authors)
        rec.outlet = rec.outlet or byline[1]
        st.keep(start, ln.end, "byline")
        return i + 1
    if _author_block(st, i):
        return _take_author_block(st, i)

    # Content.
    headline = is_headline(text, st.opts)
    if rec is None:
        # (an explicit segment is an article: a line of some words opens it though it ends in a link)
        wordy = st.opts.one_article and words(text) >= _SEGMENT_OPENING_WORDS
        if not headline and not is_prose(text) and st.zone == "main" and not wordy:
            st.remove(start, ln.end, "pre_title_chrome")
            return i + 1
        rec = st.open_record()
    elif headline and (reason := _starts_new_record(st, rec, i)):
        if st.zone == "related" and rec.title and not rec.paragraphs:
            st.demote_title(st.cur, "related_link")
            rec.title = None
        else:
            st.close()
            rec = st.open_record(reason)
    elif not headline and (reason := _starts_untitled_record(st, rec, i)):
        st.close()
        rec = st.open_record(reason)
    if rec.title is None and not rec.paragraphs and headline:
        rec.title = text
        st.keep(start, ln.end, "title")
        return i + 1
    if rec.title is None and not rec.paragraphs and not is_prose(text) and words(text) < 3:
        st.remove(start, ln.end, "pre_title_chrome")
        return i + 1
    if rec.dateline is None and len(rec.paragraphs) < 3 and rec.kind == "article":
        m = st.rules.dateline.match(text)
        # (on its own line too: "OKLAHOMA CITY, March 31 -" over a Reuters brief's figures)
        if m and (m.end() < len(text) or not rec.paragraphs):
            rec.dateline = m.group("dateline").strip(" ,")
    rec.paragraphs.append(text)
    raw = st.text[start : ln.end]
    lead = len(raw) - len(raw.lstrip())
    rec.paragraph_spans.append((start + lead, start + len(raw.rstrip())))
    rec.body_words += words(text)
    st.keep(start, ln.end, "body")
    return i + 1


ARTICLE_LINE_MIN_WORDS = 8
"""A line of running text this long shows that a page's article has begun (a menu or a list of links has none)."""


def _article_begun(st: SplitState, main: RawRecord | None) -> bool:
    """Whether the page's article ``main`` (``SplitState.page_main``) has begun, so that a related-stories or comments
    heading ends it: its record has ``min_body_words_before_split`` words of body, one paragraph at least running text
    (``is_prose``, ``ARTICLE_LINE_MIN_WORDS`` words or more). A site's menus and lists of links before the article
    ("1. Acura", "2. Aston Martin", ... over "Most Popular") have the words but not the prose: under them, "Most
    Popular" is a menu heading, and the article below it is no teaser.

    Only an article of the current page counts: in the next page's menu, "Trending" over its article is a menu link,
    though the page before had its article. For a comments heading, only a page start rule's line ends the article's
    page (a wire copyright line may sit between an article and its comments)."""
    if main is None or main.body_words < st.opts.min_body_words_before_split:
        return False
    return any(is_prose(t) and words(t) >= ARTICLE_LINE_MIN_WORDS for t in main.paragraphs)


def page_end(st: SplitState, text: str) -> bool:
    """Whether a footer line (a copyright line: rule effect 'page_end') ends the page: after the page's
    article has a body (``min_body_words_before_split`` words; the last article opened, or one opened before it on
    the page when the last is a footer's teaser with no body yet: "What Mattered in 2011" under "Featured Articles")
    and when the line is a site's footer, with a year or "all rights reserved", not a photo credit ("© Getty
    Images")."""
    if st.main is None or st.record_page[st.main] != st.page_no:
        return False  # the page's article has not started yet (since a page start of any kind)
    floor = st.opts.min_body_words_before_split
    if st.records[st.main].body_words < floor and not _page_article_before(st, st.main, floor):
        return False
    return bool(_FOOTER_YEAR.search(text)) or "rights reserved" in text.casefold()


def _page_article_before(st: SplitState, idx: int, floor: int) -> bool:
    """Whether an article record opened before record ``idx`` on its page has ``floor`` words of body."""
    page = st.record_page[idx]
    for k in range(idx - 1, -1, -1):
        if st.record_page[k] != page:
            return False
        rec = st.records[k]
        if rec.kind == "article" and rec.body_words >= floor:
            return True
    return False


def opens_as_site_footer(text: str) -> bool:
    """Whether a copyright line (rule effect 'page_end') opens as a site's footer does: "©", "(c)" or "Copyright"
    first, then a year or "all rights reserved" ("© 2012 New Jersey On-Line LLC. All rights reserved"); not a
    photo caption's credit ("... the debut of 2001: A Space Odyssey. (Copyright: The Hospitality Industry ...)")."""
    dated = bool(_FOOTER_YEAR.search(text)) or "rights reserved" in text.casefold()
    return dated and bool(_FOOTER_OPENING.match(text))


def _comments_follow(st: SplitState, i: int, body_words: int) -> bool:
    """Whether the text after the comments heading on line ``i`` (up to the next page) reads as a comments
    thread. A safety net: prose of more than ``SplitOptions.comments_max_unmarked`` times the article's
    words so far, with not one comment marker line (``Rules.comment_marker``: a reply link, "X says:",
    a timestamp) is the article going on under a comment count, not comments; so is such prose of more than
    ``SplitOptions.comments_max_lead_words`` words before the first marker (a comment count over the article,
    "1 Comments", whose real comments come far below)."""
    if _ZERO_COUNT.search(st.lines[i].text):
        return False  # "Comments (0)", "0 Responses": a count of none starts no thread
    prose = 0
    limit = st.opts.comments_max_unmarked * body_words
    for j in range(i + 1, len(st.lines)):
        rule = st.rule_at(j)
        if rule is not None and rule.effect == "page_start":
            break
        text = st.lines[j].text
        # (a marker line is short: "... years ago" in a paragraph of the article is no timestamp)
        if len(text) <= 200 and st.rules.comment_marker.search(text):
            return prose <= max(limit, st.opts.comments_max_lead_words)
        if rule is None and is_prose(text):
            prose += words(text)
    return prose <= limit


def _starts_new_record(st: SplitState, rec: RawRecord, i: int) -> str | None:
    """Why the headline-like line ``i`` opens a new article rather than being a subheading of ``rec``.

    Never right under a body that is a bare dateline stating the day ("CINCINNATI, March 17 -"): the line is the
    story's first.

    Over anything but running text or an opener (a byline, a date line, a dateline: a table of figures, say),
    only when the boundary model is sure of it (``_sure``). Otherwise the boundary model
    (``corpus_etl.boundary``) sure of it ('model_strong', ``SplitOptions.model_strong``) needs a few words of
    body before it, and over running text with a shorter body the model at ``SplitOptions.model_short_body``
    ('model'); after enough body, it does when what follows is an opener ('opener'), when it repeats the
    layout the current article opened with (headline, then a one-sentence standfirst: 'layout'), or when the
    model says so at its threshold ('model'; at its threshold for running text in a plain text whose first line is
    no headline, where such a line is mostly a subheading; never for a table's row under another row; without the model:
    when the text after it changes topic, 'topic'). Otherwise (None) it is a subheading and stays in the body.
    """
    if st.zone == "related":
        return "related" if rec.title or rec.paragraphs else None
    if st.lines[i].text in st.recurring:
        return None
    if len(rec.paragraphs) == 1 and _bare_dated_dateline(st, rec.paragraphs[0]):
        return None  # a bare dateline ("CINCINNATI, March 17 -") opens the text under it: "Qtly div 5-1/2 cts vs ..."
    nxt = next_content(st, i)
    if nxt is None:
        return None
    if nxt.text[:1] in _CONTINUES:
        return None  # the line under it goes on a sentence (", who had already qualified ..."): a link was dropped
    opener = (
        parse_byline(nxt.text, st.rules) is not None
        or parse_date_line(nxt.text, st.rules) is not None
        or bool(st.rules.dateline.match(nxt.text))
    )
    if not opener and not is_prose(nxt.text):
        # (over a table of figures, a dateline the rules do not read: on a page, a subheading over a list)
        sure = not st.opts.one_article and _model_may_split(st) and _sure(st, rec, st.boundaries.probability(i))
        return "model_strong" if sure else None
    enough = rec.body_words >= st.opts.min_body_words_before_split
    if enough and opener:
        return "opener"
    if rec.dateline and rec.paragraphs and st.rules.dateline.match(nxt.text):
        return "opener"  # a dated brief, then a headline over a dateline ("Qtly div 14 cts vs 12.5 cts ...")
    if st.opts.one_article:
        return None
    p = st.boundaries.probability(i) if _model_may_split(st) else 0.0
    if _sure(st, rec, p):
        return "model_strong"
    if not enough:
        # a short story (a wire brief of two sentences) then the next one's headline over its first paragraph; not
        # in a table of figures (a row, or the note under the rows: "Avg shrs 481.4 mln vs 473.6 mln" over "NOTE: ...")
        short = p >= st.opts.model_short_body and rec.body_words >= st.opts.model_strong_min_words
        table = is_figures_line(st.lines[i].text) or (bool(rec.paragraphs) and is_figures_line(rec.paragraphs[-1]))
        return "model" if short and st.bmodel is not None and is_prose(nxt.text) and not table else None
    if rec.title and len(rec.paragraphs) >= 2 and is_standfirst(rec.paragraphs[0]) and is_standfirst(nxt.text):
        return "layout"
    if st.bmodel is not None:
        if rec.paragraphs and is_figures_line(rec.paragraphs[-1]) and is_figures_line(st.lines[i].text):
            return None  # a table's last row (under its other rows, over its note): only a sure model splits there
        # (in a plain text whose first line is no headline, a headline-like line is a subheading of the article unless
        # the model is as sure of a new article there as it must be at running text: an article alone in a file, its
        # headline not given, "Quick response, deep concerns" halfway down; a web page, which opens with its site's
        # chrome, is read as before: fewer than page_min_chrome_lines lines of web chrome seen so far)
        threshold = st.bmodel.threshold
        if not st.boundaries.first_line_headline() and st.chrome_seen < st.opts.page_min_chrome_lines:
            threshold = max(threshold, st.bmodel.threshold_untitled)
        return "model" if p >= threshold else None
    before = topic_vector(" ".join(rec.paragraphs)[-3000:])
    after = topic_vector(upcoming_text(st, i, 150))
    return "topic" if cosine(before, after) < st.opts.same_topic_similarity else None


def _bare_dated_dateline(st: SplitState, text: str) -> bool:
    """Whether ``text`` is a wire dateline stating the day and nothing else ("CINCINNATI, March 17 -"; a page's "RSS
    —" matches the dateline pattern too)."""
    m = bare_dateline(st, text)
    return m is not None and states_the_day(m.group("dateline"))


def _sure(st: SplitState, rec: RawRecord, p: float) -> bool:
    """Whether the boundary model is sure of a new article at probability ``p`` ('model_strong',
    ``SplitOptions.model_strong``), after ``SplitOptions.model_strong_min_words`` words of ``rec``'s body."""
    return st.bmodel is not None and p >= st.opts.model_strong and rec.body_words >= st.opts.model_strong_min_words


def _starts_untitled_record(st: SplitState, rec: RawRecord, i: int) -> str | None:
    """Why the line ``i``, running text (or a dateline) with no headline above it, opens a new
    (untitled) article: the boundary model says so, sure of it after a few words of body
    ('model_strong' at ``SplitOptions.model_strong``) or at its threshold after enough body
    ('model_untitled'), and enough text follows to be an article; never in a text that opens with a
    headline over running text (its stories start at headlines). None: it continues the record."""
    if st.bmodel is None or st.opts.one_article or st.zone != "main" or rec.kind != "article":
        return None
    if st.boundaries.opens_with_headline():
        return None  # a text of stories with headlines: a story starts at a headline
    text = st.lines[i].text
    if not is_prose(text) and not st.rules.dateline.match(text):  # (a dateline alone opens a story)
        return None
    if rec.body_words < st.opts.model_strong_min_words:
        return None
    if st.boundaries.words_from(i) < st.opts.min_body_words_before_split:
        return None  # a closing line (a sign-up line, a footer) is no article of its own
    if not _model_may_split(st):
        return None
    p = st.boundaries.probability(i)
    if p >= st.opts.model_strong:
        return "model_strong"
    if p < st.bmodel.threshold_untitled or rec.body_words < st.opts.min_body_words_before_split:
        return None
    return "model_untitled"


def upcoming_text(st: SplitState, i: int, max_words: int) -> str:
    """Up to ``max_words`` words of the content lines after line ``i``."""
    out: list[str] = []
    n = 0
    for j in range(i + 1, len(st.lines)):
        if st.rule_at(j) is not None:
            continue
        ln = st.lines[j]
        out.append(ln.text)
        n += words(ln.text)
        if n >= max_words:
            break
    return " ".join(out)


def next_content(st: SplitState, i: int) -> Line | None:
    """The next line after ``i`` that no line rule removes."""
    for j in range(i + 1, len(st.lines)):
        ln = st.lines[j]
        if st.rule_at(j) is None and ln.text not in st.repeated and not st.is_learned(j):
            return ln
    return None


def _author_block(st: SplitState, i: int) -> bool:
    """A person's name line followed by a role line ("Former Digital Trends Contributor")."""
    if i + 1 >= len(st.lines):
        return False
    ln, nxt = st.lines[i], st.lines[i + 1]
    return bool(st.rules.person_name.fullmatch(ln.text)) and bool(st.rules.author_role.fullmatch(nxt.text))


def _take_author_block(st: SplitState, i: int) -> int:
    """Consume name, role and the bio after them (prose opening with the name or a pronoun)."""
    name_line = st.lines[i]
    end_i = i + 2
    if end_i < len(st.lines):
        bio = st.lines[end_i].text
        first_name = name_line.text.split()[0]
        if is_prose(bio) and bio.split()[0] in (first_name, "He", "She", "They", "Il", "Elle", "Er", "Sie"):
            end_i += 1
    if st.main is not None:
        authors = st.records[st.main].authors
        if name_line.text not in authors:
            authors.append(name_line.text)
    end = st.lines[end_i - 1].end
    if st.cur is not None and st.cur == st.main:
        st.keep(name_line.start, end, "author")
    else:
        st.remove(name_line.start, end, "author_block")
    return end_i


def _raw_offset(st: SplitState, ln: Line, clean_offset: int) -> int:
    """Map an offset in a line's clean text back to the raw text (clean text drops spaces only)."""
    raw = st.text[ln.start : ln.end]
    # Walk both strings; normalisation only collapses or drops whitespace and invisible characters.
    target = ln.text[:clean_offset].replace(" ", "")
    seen = 0
    for j, ch in enumerate(raw):
        if seen == len(target):
            return ln.start + j
        if ch == target[seen]:
            seen += 1
    return ln.end


def _model_may_split(st: SplitState) -> bool:
    """Whether a model split here could stand: not on what already reads as a web page (where model
    splits are weak) unless a page's worth of removed lines lies right before (``passes.records.merge_weak_splits``).
    Saves describing the lines of web pages for nothing."""
    n = st.chrome_seen
    if n < st.opts.page_min_chrome_lines or n * 1000 < st.opts.page_min_chrome_per_1000_words * st.boundaries.cum[-1]:
        return True
    return st.removed_run >= st.opts.page_gap_lines
