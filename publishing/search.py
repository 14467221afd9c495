"""Full-text search over handbook pages and stored trials, in Chinese and English.

Wagtail's database search backend splits text on spaces, which leaves a Chinese paragraph as
one "word", and it behaves differently on SQLite and PostgreSQL. The handbook is small (tens
of pages, a few thousand trials), so this module keeps its own inverted index in memory:

* Chinese runs are segmented with jieba's search mode (`cut_for_search`, which also emits
  the shorter words inside long ones: 间充质干细胞 → 间 / 充质 / 细胞 / 干细胞), so 干细胞 finds a
  page about 间充质干细胞; queries are segmented the same way.
* Latin words are lower-cased and stemmed (Snowball English), so "stem cell" finds
  "stem cells"; NCT numbers are single tokens.
* Traditional characters in a query are first converted to Simplified (OpenCC t2s).

Ranking is BM25 with the title counted three times. Every query word must occur in a result
(if none has them all, results with at least half of them are shown). Pages and trials are
two indexes, each rebuilt by the process that notices a change: a search compares a
fingerprint of the live pages and the page log (every time) and of the trials table (at most
every 5 s, at once after `trials_stored` in this process) with the one its index was built
from, so a publish, an unpublish, a move or a registry sync is seen by every web process
without extra machinery, and a page edit never rebuilds the trial index.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache

import jieba
import opencc
import snowballstemmer
from django.db.models import Count, Max
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page, PageLogEntry

from core.identifiers import NCT_PATTERN, nct_url
from handbook.models import HandbookPage, SectionPage
from trials.labels import status_label
from trials.models import Trial
from trials.signals import trials_stored

jieba.setLogLevel(logging.WARNING)

# Words jieba's general dictionary splits badly; added once, before the first segmentation.
DOMAIN_WORDS = [
    "硬皮病",
    "系统性硬皮病",
    "系统性硬化症",
    "间充质干细胞",
    "间充质基质细胞",
    "造血干细胞",
    "干细胞",
    "指端溃疡",
    "间质性肺病",
    "肺动脉高压",
    "雷诺现象",
    "血浆置换",
    "血浆净化",
    "利妥昔单抗",
    "环磷酰胺",
    "同种异体",
    "临床试验",
]
CHINESE_STOPWORDS = set("的了和与及或在是为其也而就都将把被对从这那个之一")
ENGLISH_STOPWORDS = {
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of",
    "on", "or", "that", "the", "to", "was", "were", "with",
}  # fmt: skip
TOKEN_RE = re.compile(
    r"(?P<nct>\b(?ai:"
    + NCT_PATTERN
    + r")\b)|(?P<latin>[A-Za-z0-9]+)|(?P<cjk>[\u3400-\u9fff\uf900-\ufaff]+)"
)
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TITLE_WEIGHT = 3
BM25_K1, BM25_B = 1.2, 0.75
SNIPPET_RADIUS = 60
TRIAL_CHECK_SECONDS = 5.0

_stemmer = snowballstemmer.stemmer("english")
_to_simplified = opencc.OpenCC("t2s")
_jieba_ready = threading.Lock()
_jieba_initialised = False


def _ensure_jieba():
    global _jieba_initialised
    if _jieba_initialised:
        return
    with _jieba_ready:
        if not _jieba_initialised:
            for word in DOMAIN_WORDS:
                jieba.add_word(word, freq=200_000)
            jieba.initialize()
            _jieba_initialised = True


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def tokenize(text: str) -> list[str]:
    """Search tokens of `text` (page text, a trial record or a query), in order."""
    _ensure_jieba()
    tokens: list[str] = []
    for match in TOKEN_RE.finditer(text):
        kind, piece = match.lastgroup, match.group(0)
        if kind == "cjk":
            tokens.extend(
                word
                for word in jieba.cut_for_search(piece)
                if word.strip() and word not in CHINESE_STOPWORDS
            )
        elif kind == "nct":
            tokens.append(piece.lower())
        else:
            word = piece.lower()
            if word not in ENGLISH_STOPWORDS:
                tokens.append(_stem(word))
    return tokens


def normalise_query(query: str) -> str:
    """Collapse spaces, cap the length and turn Traditional characters into Simplified."""
    query = " ".join(query.split())[:200]
    return _to_simplified.convert(query) if CJK_RE.search(query) else query


@dataclass
class Document:
    kind: str  # "page" or "trial"
    key: str  # page id or NCT number
    locale: str  # language code, "" for trials (shown in every language)
    title: str
    url: str
    text: str
    length: int = 0
    nct_id: str = ""
    status: str = ""
    section: str = ""
    cited_on: dict[str, tuple[str, str]] = field(default_factory=dict)  # locale → (title, url)


@dataclass
class SearchHit:
    document: Document
    score: float
    snippet: SafeString

    @property
    def kind(self) -> str:
        return self.document.kind


@dataclass
class SearchResults:
    query: str
    pages: list[SearchHit]
    trials: list[SearchHit]

    @property
    def count(self) -> int:
        return len(self.pages) + len(self.trials)


def _page_text(page) -> str:
    if isinstance(page, HandbookPage):
        parts = []
        for block in page.body:
            if block.block_type == "heading":
                parts.append(block.value["text"])
            elif block.block_type == "paragraph":
                parts.append(strip_tags(block.value.source))
            elif block.block_type == "trial":
                parts.append(block.value["nct_id"])
        return "\n".join(parts)
    return getattr(page, "intro", "") or ""


TRIAL_FIELDS = (
    "nct_id",
    "acronym",
    "brief_title",
    "official_title",
    "conditions",
    "keywords",
    "interventions",
    "overall_status",
)


def _trial_text(row: dict) -> str:
    parts = [row["nct_id"], row["acronym"], row["brief_title"], row["official_title"]]
    parts.extend(str(item) for item in row["conditions"] or [])
    parts.extend(str(item) for item in row["keywords"] or [])
    for intervention in row["interventions"] or []:
        if isinstance(intervention, dict):
            parts.append(intervention.get("name", ""))
    return "\n".join(part for part in parts if part)


class SearchIndex:
    """An in-memory inverted index over documents of one kind, ranked with BM25."""

    def __init__(self, documents: list[Document]):
        self.documents = documents
        self.postings: dict[str, dict[int, int]] = defaultdict(dict)
        for number, document in enumerate(documents):
            counts = Counter(tokenize(document.text))
            for token in tokenize(document.title):
                counts[token] += TITLE_WEIGHT
            document.length = sum(counts.values())
            for token, count in counts.items():
                self.postings[token][number] = count
        self.average_length = (
            sum(document.length for document in documents) / len(documents) if documents else 0
        )

    def hits(self, query: str, wanted: list[str], *, locale: str, limit: int) -> list[SearchHit]:
        """Documents with every query token (else at least half of them), best first."""
        total = len(self.documents)
        matched: dict[int, set[str]] = defaultdict(set)
        scores: dict[int, float] = defaultdict(float)
        for token in wanted:
            postings = self.postings.get(token, {})
            if not postings:
                continue
            idf = math.log(1 + (total - len(postings) + 0.5) / (len(postings) + 0.5))
            for number, count in postings.items():
                document = self.documents[number]
                if document.locale and document.locale != locale:
                    continue
                norm = 1 - BM25_B + BM25_B * document.length / (self.average_length or 1)
                scores[number] += idf * count * (BM25_K1 + 1) / (count + BM25_K1 * norm)
                matched[number].add(token)
        if not scores:
            return []
        best = max(len(tokens) for tokens in matched.values())
        needed = len(wanted) if best == len(wanted) else max(1, math.ceil(len(wanted) / 2))
        phrase = query.lower()
        ranked = []
        for number, score in scores.items():
            if len(matched[number]) < needed:
                continue
            document = self.documents[number]
            if phrase in document.text.lower() or phrase in document.title.lower():
                score *= 1.5
            ranked.append((score, number))
        ranked.sort(key=lambda item: (-item[0], self.documents[item[1]].title))
        return [
            SearchHit(
                self.documents[number], score, snippet(self.documents[number].text, query, wanted)
            )
            for score, number in ranked[:limit]
        ]


def build_page_index() -> tuple[SearchIndex, dict[str, dict[str, tuple[str, str]]]]:
    """Live, public handbook and section pages; and where each trial has its card, by locale."""
    documents: list[Document] = []
    cited: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    pages = (
        Page.objects.live()
        .public()
        .type(HandbookPage, SectionPage)
        .select_related("locale")
        .specific()
        .order_by("path")
    )
    for page in pages:
        url = page.get_url()
        if not url:
            continue
        locale = page.locale.language_code
        parent = page.get_parent().specific if isinstance(page, HandbookPage) else None
        documents.append(
            Document(
                kind="page",
                key=str(page.pk),
                locale=locale,
                title=page.title,
                url=url,
                text=_page_text(page),
                section=parent.title if isinstance(parent, SectionPage) else "",
            )
        )
        if isinstance(page, HandbookPage):
            for nct_id in page.cited_nct_ids():
                cited[nct_id].setdefault(locale, (page.title, f"{url}#trial-{nct_id}"))
    return SearchIndex(documents), dict(cited)


def build_trial_index() -> SearchIndex:
    """Every stored trial (shown in every language): NCT number, titles, conditions…"""
    documents = []
    rows = (
        Trial.objects.filter(current_version__isnull=False).order_by("nct_id").values(*TRIAL_FIELDS)
    )
    for row in rows.iterator(chunk_size=2000):
        documents.append(
            Document(
                kind="trial",
                key=row["nct_id"],
                locale="",
                title=row["brief_title"] or row["official_title"] or row["nct_id"],
                url=nct_url(row["nct_id"]),
                text=_trial_text(row),
                nct_id=row["nct_id"],
                status=row["overall_status"],
            )
        )
    return SearchIndex(documents)


def snippet(text: str, query: str, tokens: list[str]) -> SafeString:
    """About 120 characters of `text` around the first match, with the matches marked."""
    lowered = text.lower()
    needles = [query.lower()] + sorted(
        {token for token in tokens if len(token) > 1 or CJK_RE.match(token)},
        key=len,
        reverse=True,
    )
    position = -1
    for needle in needles:
        position = lowered.find(needle)
        if position >= 0:
            break
    if position < 0:
        position = 0
    start = max(0, position - SNIPPET_RADIUS)
    end = min(len(text), position + SNIPPET_RADIUS * 2)
    excerpt = " ".join(text[start:end].split())
    if needles[0] and needles[0] in excerpt.lower():
        needles = needles[:1]
    marks = [re.escape(needle) for needle in needles if needle.strip()]
    pattern = re.compile("|".join(marks), re.I) if marks else None
    out, last = [], 0
    if pattern:
        for match in pattern.finditer(excerpt):
            out.append(escape(excerpt[last : match.start()]))
            out.append(f"<mark>{escape(match.group(0))}</mark>")
            last = match.end()
    out.append(escape(excerpt[last:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 (every piece is escaped)


class _Cached:
    """One index, rebuilt when its fingerprint changes; the fingerprint is read at most every
    `check_seconds` (and at once after a change signalled in this process)."""

    def __init__(self, build, fingerprint, check_seconds: float):
        self.build, self.fingerprint, self.check_seconds = build, fingerprint, check_seconds
        self.lock = threading.Lock()
        self.value = None
        self.stamp = None
        self.checked_at = 0.0

    def get(self):
        now = time.monotonic()
        if self.value is not None and now - self.checked_at < self.check_seconds:
            return self.value
        stamp = self.fingerprint()
        with self.lock:
            if self.value is None or stamp != self.stamp:
                self.value = self.build()
                self.stamp = stamp
            self.checked_at = now
            return self.value

    def reset(self):
        with self.lock:
            self.value, self.stamp, self.checked_at = None, None, 0.0


def page_fingerprint() -> tuple:
    """Changes whenever a page is published, unpublished, moved or deleted."""
    pages = Page.objects.live().aggregate(count=Count("id"), last=Max("last_published_at"))
    log = PageLogEntry.objects.aggregate(last=Max("id"))
    return (pages["count"], pages["last"], log["last"])


def trial_fingerprint() -> tuple:
    """Changes whenever a trial is stored (new, changed or deleted)."""
    trials = Trial.objects.aggregate(count=Count("id"), last=Max("updated_at"))
    return (trials["count"], trials["last"])


_pages = _Cached(build_page_index, page_fingerprint, check_seconds=0)
_trials = _Cached(build_trial_index, trial_fingerprint, check_seconds=TRIAL_CHECK_SECONDS)


def _trials_changed(**kwargs):
    with _trials.lock:
        _trials.stamp, _trials.checked_at = None, 0.0


trials_stored.connect(_trials_changed, dispatch_uid="publishing_search_trials")


def reset_index():
    """Forget the built indexes (tests; the fingerprints make this unnecessary in production)."""
    _pages.reset()
    _trials.reset()


def search(query: str, *, locale: str, limit: int = 20) -> SearchResults:
    query = normalise_query(query)
    wanted = list(dict.fromkeys(tokenize(query)))
    if not wanted:
        return SearchResults(query=query, pages=[], trials=[])
    page_index, cited = _pages.get()
    trial_hits = _trials.get().hits(query, wanted, locale=locale, limit=limit)
    for hit in trial_hits:
        hit.document = replace(hit.document, cited_on=dict(cited.get(hit.document.nct_id, {})))
    return SearchResults(
        query=query,
        pages=page_index.hits(query, wanted, locale=locale, limit=limit),
        trials=trial_hits,
    )


def status_text(document: Document) -> str:
    return status_label(document.status) if document.status else ""
