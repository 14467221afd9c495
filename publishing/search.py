"""Site search: handbook pages and stored trials, in Chinese and English.

Text is analysed by `core.text`, the analysis the trial finder's index uses too: Chinese
segmented by jieba in search mode (间充质干细胞 → 充质 / 细胞 / 干细胞 / 间充质干细胞, so 干细胞
finds a page about 间充质干细胞), English lower-cased and stemmed ("stem cell" finds "stem
cells"), Traditional characters read as Simplified, NCT numbers kept whole.

Trials come from the finder's database index (`finder.search.trials_matching`: FTS5 on SQLite,
tsvector on PostgreSQL), which import and sync keep current; nothing of the registry is held
in a web process, whose memory therefore does not grow with the number of stored trials.

Pages (tens of them) are kept in an in-memory inverted index, ranked with BM25 with the title
counted three times. Every query word must occur in a result (if none has them all, results
with at least half of them are shown). A search compares a fingerprint of the live pages and
the page log with the one its index was built from, so a publish, an unpublish, a move or a
delete is seen by every web process without extra machinery.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page

from core.identifiers import nct_url
from core.text import CJK_RE, to_simplified
from core.text import tokens as text_tokens
from finder.search import trials_matching
from handbook.models import HandbookPage, SectionPage
from handbook.queries import newest_page_change
from trials.labels import status_label

TITLE_WEIGHT = 3
BM25_K1, BM25_B = 1.2, 0.75
SNIPPET_RADIUS = 60


def tokenize(text: str) -> list[str]:
    """Search tokens of a page's text or of a query, in order."""
    return text_tokens(text, search=True)


def normalise_query(query: str) -> str:
    """Collapse spaces, cap the length and turn Traditional characters into Simplified."""
    query = " ".join(query.split())[:200]
    return to_simplified(query)


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


class SearchIndex:
    """An in-memory inverted index over the handbook's pages, ranked with BM25."""

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
    """One index, rebuilt when its fingerprint (read on every search) changes."""

    def __init__(self, build, fingerprint):
        self.build, self.fingerprint = build, fingerprint
        self.lock = threading.Lock()
        self.value = None
        self.stamp = None

    def get(self):
        stamp = self.fingerprint()
        with self.lock:
            if self.value is None or stamp != self.stamp:
                self.value = self.build()
                self.stamp = stamp
            return self.value

    def reset(self):
        with self.lock:
            self.value, self.stamp = None, None


_pages = _Cached(build_page_index, newest_page_change)


def reset_index():
    """Forget the built page index (tests; the fingerprint makes this unnecessary in production)."""
    _pages.reset()


def search(query: str, *, locale: str, limit: int = 20) -> SearchResults:
    query = normalise_query(query)
    wanted = list(dict.fromkeys(tokenize(query)))
    if not wanted:
        return SearchResults(query=query, pages=[], trials=[])
    page_index, cited = _pages.get()
    trials = [
        SearchHit(
            Document(
                kind="trial",
                key=match.nct_id,
                locale="",
                title=match.title,
                url=nct_url(match.nct_id),
                text="",
                nct_id=match.nct_id,
                status=match.status,
                cited_on=dict(cited.get(match.nct_id, {})),
            ),
            match.score,
            SafeString(""),
        )
        for match in trials_matching(query, limit=limit)
    ]
    return SearchResults(
        query=query,
        pages=page_index.hits(query, wanted, locale=locale, limit=limit),
        trials=trials,
    )


def status_text(document: Document) -> str:
    return status_label(document.status) if document.status else ""
