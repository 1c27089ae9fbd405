"""Source identity: the page's URL and site, and the outlet as the page itself names it, with where each came from.

The folder a file sits in is its collection (``sources.collection``), never its outlet or site: when the page
names no outlet, ``outlet`` is NULL and ``outlet_source`` is ``'none'``.

URL and site (``find_site``), first found wins:

1. ``jsonl_field``: a JSONL record's URL field (``url``, ``link``, ``canonical_url``, ...).
2. ``url_line``: a line of the text that gives the page's own address: a labelled line ("URL: ...",
   "Permalink: ...", "Find this article at: ...", "Read more: http://...") anywhere in the record's page, or,
   among the first ``TOP_LINES`` lines of the record and the last ``TOP_LINES`` lines above it, a line that is
   nothing but an ``http(s)://`` URL or a weaker label ("Source: ..."). A URL inside running text, a bare URL
   deeper in the body, an image, feed, trackback, short or social-media link is not the page's address.
3. ``copyright``: a domain named as the copyright owner ("© 2012 NBCNews.com"): a site without a URL.
4. ``masthead``: a domain-name line ("AlbertMohler.com", not a menu's list item) among the first lines of the
   page, above its first record.

Measured by ``python -m eval.identity`` (``eval/IDENTITY.md``) on 399 dragnet pages (their first article): a
site on 0.11 (42), of which 34 are the host of the page's og:url/canonical link (``sites.json``) or a parent
domain of it, most others the owner's domain the page names (nbcnews.com on msnbc.msn.com pages); an outlet on
0.49 (197: copyright 191, masthead 3, byline 2, wire credit 1); 20 spot-checked outlets were the page's own
naming (one truncated owner, fixed). A record left without one takes its page's copyright line or masthead
(``pipeline.identify_articles``): all article records 0.46 -> 0.49 (221 -> 235 of 483), the 14 changed all the
page's own owner; on 150 pairs of pages glued by a blank line, 173 -> 188 of 332 named, 6 -> 13 the other
page's. Few pages rendered to text state their own URL: the URL columns serve JSONL records and scrapes that
keep it.

``site`` is the URL's host, lower-cased, without ``www.`` and a port.

Outlet (``find_outlet``), first found wins:

1. ``jsonl_field``: a JSONL record's outlet field (``outlet``, ``publisher``, ``site_name``, ...).
2. ``byline``: the outlet of the byline ("By Peter Henderson, The Canadian Press"; the splitter's).
3. ``wire_credit``: a wire credit in the dateline that opens the body ("LONDON (Reuters) -", "(AP) —").
4. ``copyright``: the owner named by the first copyright line of the record's page ("© 2012 The Associated
   Press", "Copyright 2008 Reuters", "(c) Copyright Thomson Reuters 2012"), legal suffixes (Inc., LLC, Ltd.)
   dropped; photo credits ("(Copyright: Getty Images)") and lines naming no owner ("Copyright © 2011") skipped.
5. ``masthead``: the domain-name masthead of ``find_site`` ("AlbertMohler.com").
6. ``none``: the page names no outlet.

Pure functions on strings; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

TOP_LINES = 6  # non-empty lines at the top of a record (and just above it) where a bare URL line is its address
MASTHEAD_LINES = 10  # non-empty lines at the top of a page where a domain-name line is its masthead
MAX_OWNER_WORDS = 7
SITE_SOURCES = ("jsonl_field", "url_line", "copyright", "masthead")
OUTLET_SOURCES = ("jsonl_field", "byline", "wire_credit", "copyright", "masthead", "none")

URL_FIELDS = ("url", "link", "canonical_url", "canonical", "source_url", "article_url", "page_url", "href")
OUTLET_FIELDS = ("outlet", "publisher", "publication", "site_name", "source_name", "media", "newspaper")

_URL = r"https?://[^\s<>\"'\])]+"
_BARE_URL = re.compile(rf"(?:[*+•-]\s*)?(?P<url>{_URL})(?:\s*\[[^\]]*\])?")
_LABELLED_URL = re.compile(  # a label that names the page's own address, wherever the line is
    r"(?i:(?:url|original(?: url| article| story)|permalink|canonical(?: url)?|article url|link to "
    r"(?:this|the) (?:article|page|story)|find this (?:article|story) at|read more|story url|"
    rf"web ?address)\s*:)\s*(?P<url>{_URL})"
)
_TOP_LABELLED_URL = re.compile(  # a weaker label ("Source:" may cite another page): only at the record's top
    rf"(?i:(?:source|link|original|this article)\s*:)\s*(?P<url>{_URL})"
)
_DOMAIN = re.compile(
    r"(?i:(?:https?://)?(?:www\.)?(?P<domain>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|org|net|edu|gov|info|biz|io|co|uk|us|ca|de|fr|au|in|tv|me|ly|news|[a-z]{2}))\.?)"
)

WIRES = {
    "ap": "The Associated Press",
    "reuters": "Reuters",
    "afp": "Agence France-Presse",
    "cp": "The Canadian Press",
    "upi": "United Press International",
    "dpa": "dpa",
    "bloomberg": "Bloomberg",
    "xinhua": "Xinhua",
    "ians": "IANS",
    "pti": "PTI",
    "ani": "ANI",
    "kyodo": "Kyodo",
    "ansa": "ANSA",
    "efe": "EFE",
    "tass": "TASS",
    "aap": "Australian Associated Press",
    "pa": "PA",
}
_WIRE = re.compile(  # a dateline ("LONDON", "TORONTO, Ont.") and the wire in brackets, then a dash
    r"^\s*(?:[A-Z][A-Z .'’-]{1,40}(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*){0,3})?\s*)?\((?P<wire>(?i:"
    + "|".join(sorted(WIRES, key=len, reverse=True))
    + r"))\)\s*(?:—|–|--|-|:)"
)
_COPY_MARK = re.compile(r"©|\(c\)|&copy;|\bcopyright\b", re.IGNORECASE)
_YEARS = r"(?:(?:19|20)\d\d(?:\s*[-–—/]\s*(?:(?:19|20)\d\d|present))?)"
_LEAD = re.compile(rf"^(?:\s|©|\(c\)|&copy;|copyright\b|{_YEARS}|[,:.]\s|by\s)+", re.IGNORECASE)
_TRAIL_YEARS = re.compile(rf"[\s,.]*{_YEARS}\s*$")
_OWNER_END = re.compile(
    r"\s*(?:\||·|•|;|\s[-–—]\s|(?<!\b[A-Z])\.\s|\.$|,|\ball rights\b|\bpowered by\b|\bsome rights\b|\bis\b|"
    r"\bunless\b|\bexcept\b|\bwith\b|\blicen[cs]ed\b|\bcheck for\b|\(|™|®).*$",
    re.IGNORECASE,
)
_LEGAL = re.compile(
    r"(?:,?\s+(?:inc|llc|l\.l\.c|ltd|plc|gmbh|co|corp|corporation|lp|l\.p|s\.a|ag|pty|pvt)\.?)+$",
    re.IGNORECASE,
)
_NOT_OWNERS = re.compile(
    r"^(?:information|notice|policy|reserved|info|protected|statement|infringement|digital|the author|author|"
    r"getty(?: images)?|thinkstock|ap photo|istockphoto|shutterstock|corbis|text|photo|photos|images?|all|"
    r"content|respective owners?|original author|the original author|by|reserved\b.*)$",
    re.IGNORECASE,
)
_PREFIX_OWNER = re.compile(r"[A-Z][\w&.'’-]*(?: [A-Z][\w&.'’-]*){0,2}")
_PREFIX_NOT_OWNER = re.compile(
    r"(?i:content|text|site|website|page|design|all content|photos?|data|privacy|terms|all)\b"
)


_ROLE = re.compile(r"(?i)\b(?:reporter|correspondent|editor|writer|contributor|columnist|staff)\b")


@dataclass(frozen=True, slots=True)
class Site:
    """A page's address as the record states it: ``url`` (None when only a domain is named), its ``site`` (the
    host, lower-cased, without ``www.``) and ``source`` (one of ``SITE_SOURCES``)."""

    url: str | None
    site: str
    source: str


@dataclass(frozen=True, slots=True)
class Outlet:
    """The outlet as the page names it and where it came from (``OUTLET_SOURCES``); ``name`` None for 'none'."""

    name: str | None
    source: str


def site_of(url: str) -> str | None:
    """The host of an ``http(s)://`` URL or bare domain, lower-cased, without ``www.``, a port or a final dot;
    None when it has no dotted host."""
    u = url.strip()
    if not re.match(r"(?i)https?://", u):
        u = "http://" + u
    try:
        host = urlsplit(u).hostname or ""
    except ValueError:
        return None
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if "." not in host or not re.fullmatch(r"[a-z0-9.-]+", host) or ".." in host:
        return None
    return host


def _clean_url(url: str) -> str:
    return url.rstrip(".,;:!?)]}»\"'")


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


_NOT_PAGE_URL = re.compile(
    r"(?i)\.(?:jpe?g|png|gif|webp|svg|pdf|mp[34]|css|js)(?:[?#].*)?$|trackback|mt-tb\.cgi|/feeds?/|/rss\b|"
    r"^https?://(?:www\.)?(?:goo\.gl|bit\.ly|t\.co|tinyurl\.com|ow\.ly|tcrn\.ch|bcove\.me|youtu\.be|"
    r"(?:[\w-]+\.)?(?:youtube|twitter|facebook|flickr|wikipedia|instagram|pinterest)\.(?:com|org))\b"
)


def _bare_url(line: str) -> str | None:
    """The URL of a line that is nothing but a URL that can be a page's address (not an image, a feed, a
    trackback, a short link or a social-media link)."""
    m = _BARE_URL.fullmatch(line)
    if not m:
        return None
    url = _clean_url(m.group("url"))
    return None if _NOT_PAGE_URL.search(url) else url


def _labelled_url(pattern: re.Pattern[str], line: str) -> str | None:
    if "://" not in line:  # (the URL's own "://": a cheap test before the search)
        return None
    m = pattern.search(line)
    url = _clean_url(m.group("url")) if m else None
    return None if url is None or _NOT_PAGE_URL.search(url) else url


def _domain_line(line: str) -> str | None:
    """The domain of a line that is nothing but a domain name ("AlbertMohler.com", "www.techpp.com"); a list
    item ("* Skepchick.se": a menu's link to a sister site) is not one."""
    if re.match(r"\s*[*+•-]", line):
        return None
    s = line.strip()
    m = _DOMAIN.fullmatch(s)
    if not m or not re.search(r"[A-Za-z]", m.group("domain").split(".")[0]):
        return None
    return site_of(m.group("domain"))


def _field(meta: Mapping[str, object] | None, names: tuple[str, ...]) -> str | None:
    if not meta:
        return None
    lowered = {str(k).lower(): v for k, v in meta.items()}
    for name in names:
        v = lowered.get(name)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


def _may_have_copy_mark(text: str) -> bool:
    """False when no line of ``text`` has a copyright mark (``_COPY_MARK``); a test by substrings of the text
    lowered, several times faster than the search (only a dotted or dotless i, which the case-blind search takes
    for an 'i', needs the search itself)."""
    if "©" in text:
        return True
    low = text.lower()
    if "(c)" in low or "&copy;" in low or "copyright" in low:
        return True
    return ("İ" in text or "ı" in text) and _COPY_MARK.search(text) is not None


def copyright_owner(line: str) -> str | None:
    """The owner a copyright line names ("© 2012 The Associated Press" -> "The Associated Press",
    "Copyright © 2012 CBS Interactive Inc. All rights reserved." -> "CBS Interactive"), or None when the line
    is not a copyright line, is a photo credit, or names no owner."""
    m = _COPY_MARK.search(line)  # (most lines have no mark: the cheap test first)
    if not m:
        return None
    s = line.strip().lstrip("*+•- ").strip()
    if not s or len(s.split()) > 40 or (s.startswith("(") and not s.lower().startswith("(c)")):
        return None  # "(Copyright: Getty Images)": a photo credit
    m = _COPY_MARK.search(s)
    if not m:
        return None
    after = s[m.end() : m.end() + 1]
    if after and after not in " ©0123456789:,":
        return None  # "Copyright/IP Policy", "Copyright & Terms of Use"
    prefix = s[: m.start()].strip()
    if re.search(r"(?i)\b(?:photos?|images?|pictures?|credit|screenshots?)\b", prefix):
        return None  # "photo: (c) 2012 Pinar Ozger"
    if prefix and len(prefix.split()) > 3 and prefix[-1] not in ".|·•-–—":
        return None  # a mark inside a sentence
    rest = _LEAD.sub("", s[m.start() :])
    dm = _DOMAIN.match(rest)
    owner = dm.group(0) if dm and rest[dm.end() : dm.end() + 1] in ("", " ") else _OWNER_END.sub("", rest)
    owner = _TRAIL_YEARS.sub("", owner).strip(" ,.:-–—")
    owner = _LEGAL.sub("", owner).strip(" ,.")
    if (
        (not owner or _NOT_OWNERS.match(owner))
        and _PREFIX_OWNER.fullmatch(prefix)
        and not _PREFIX_NOT_OWNER.match(prefix)
    ):
        owner = _LEGAL.sub("", prefix.strip(" ,:")).strip(" ,.")  # "BBC © 2012 The BBC is not responsible ..."
    if not owner or _NOT_OWNERS.match(owner) or len(owner.split()) > MAX_OWNER_WORDS or len(owner) > 60:
        return None
    if (
        not (re.match(r"[A-Z0-9]", owner) or _DOMAIN.fullmatch(owner))
        or not re.search(r"[A-Za-z]", owner)
        or re.search(r"\d{4}", owner)
    ):
        return None  # "copyright infringement", "© 2012 ¶ Thanks"
    return owner


def wire_credit(body_head: str) -> str | None:
    """The wire a dateline credits at the start of a body ("LONDON (Reuters) - ..." -> "Reuters"), or None."""
    for line in _lines(body_head)[:3]:
        m = _WIRE.match(line)
        if m:
            return WIRES[m.group("wire").lower()]
    return None


def find_site(
    head: str, above: str, page: str, meta: Mapping[str, object] | None = None, page_head: str = ""
) -> Site | None:
    """The page's URL and site as the record states them (see the module docstring for the order).

    Args:
        head: the record's text from its start (its first lines are searched for a bare URL line).
        above: the text just above the record, after the previous record's page (its last lines).
        page: the record's whole page: the record and the chrome after it, up to the next article
            (searched for labelled URL lines and the copyright line).
        meta: a JSONL record's fields other than the text, or None.
        page_head: the top of the page above its first record (searched for a domain-name masthead); empty for
            a later record of a file (the text above it is the previous record's page).
    """
    url = _field(meta, URL_FIELDS)
    if url and (host := site_of(url)):
        return Site(url, host, "jsonl_field")
    # (every URL pattern needs a "://": most pages name no URL, and none of their lines is searched for one)
    searched = above + "\n" + page
    if "://" in searched:
        for line in _lines(searched):
            if (url := _labelled_url(_LABELLED_URL, line)) and (host := site_of(url)):
                return Site(url, host, "url_line")
    if "://" in above or "://" in head:
        top = _lines(above)[-TOP_LINES:] + _lines(head)[:TOP_LINES]
        for line in top:
            url = _bare_url(line) or _labelled_url(_TOP_LABELLED_URL, line)
            if url and (host := site_of(url)):
                return Site(url, host, "url_line")
    if _may_have_copy_mark(page):
        for line in _lines(page):
            owner = copyright_owner(line)
            if owner and (host := _domain_line(owner)):
                return Site(None, host, "copyright")
    for line in _lines(page_head)[:MASTHEAD_LINES]:
        host = _domain_line(line)
        if host:
            return Site(None, host, "masthead")
    return None


def find_outlet(
    byline_outlet: str | None,
    body_head: str,
    page: str,
    meta: Mapping[str, object] | None = None,
    page_head: str = "",
) -> Outlet:
    """The outlet as the page names it (see the module docstring for the order); never a folder name.

    Args:
        byline_outlet: the outlet of the record's byline (the splitter's), or None.
        body_head: the start of the record's body (its first lines are searched for a wire credit).
        page: the record's whole page (the record and the chrome after it, up to the next article): its first
            copyright line naming an owner is taken.
        meta: a JSONL record's fields other than the text, or None.
        page_head: the top of the page above its first record (searched for a domain-name masthead); empty for
            a later record.
    """
    name = _field(meta, OUTLET_FIELDS)
    if name:
        return Outlet(name, "jsonl_field")
    if byline_outlet and byline_outlet.strip() and not _ROLE.search(byline_outlet):
        return Outlet(byline_outlet.strip(), "byline")
    wire = wire_credit(body_head)
    if wire:
        return Outlet(wire, "wire_credit")
    if _may_have_copy_mark(page):
        for line in _lines(page):
            owner = copyright_owner(line)
            if owner:
                return Outlet(owner, "copyright")
    for line in _lines(page_head)[:MASTHEAD_LINES]:
        if _domain_line(line):
            return Outlet(line.strip(" *+•-"), "masthead")
    return Outlet(None, "none")
