"""The finder's index tokens: `core.text` words plus synonym concepts, for records and queries.

Folding, segmentation, stemming and stopwords are `core.text`'s (the one analysis every search
uses). What is the finder's own: any span naming a concept of the synonym table
(`finder.synonyms`), in either language, adds that concept's token (``xxssc``…), which is how a
Chinese query reaches English registry text; words too common in registry text to say anything
about a trial are dropped too (`REGISTRY_STOPWORDS`); single letters and bare numbers are not
indexed. Tokens are plain space-separated words, so SQLite FTS5 (the ``unicode61`` tokenizer)
and PostgreSQL (``to_tsvector('simple', …)``) index them as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from core.text import CJK, EN_STOPWORDS, RUN_RE, WORD_RE, ZH_STOPWORDS, normalise, segment, stem
from finder.synonyms import BY_KEY, CONCEPTS, Concept

# Words of every registry record or patient's question (on top of core's function words).
REGISTRY_STOPWORDS = frozenset(
    """patient patients participant participants subject subjects study studies trial trials
    clinical year years month months week weeks day days treatment treated therapy effect effects
    efficacy safety evaluate evaluation assess group groups use used using""".split()
)
QUESTION_STOPWORDS = frozenset(
    """患者 病人 妈妈 爸爸 母亲 父亲 家人 孩子 自己 试验 临床试验 研究 治疗 参加 想 希望 医院
    医生""".split()
)
_EN_STOPWORDS = EN_STOPWORDS | REGISTRY_STOPWORDS
_ZH_STOPWORDS = ZH_STOPWORDS | QUESTION_STOPWORDS


@dataclass
class Analysis:
    """What one text said: its index tokens in order, and which concepts it named."""

    tokens: list[str] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)

    @property
    def concept_tokens(self) -> list[str]:
        return [concept.token for concept in self.concepts]

    def text(self) -> str:
        return " ".join(self.tokens)


@lru_cache(maxsize=1)
def _phrases() -> tuple[dict[tuple[str, ...], list[Concept]], int]:
    """Every English phrase of the synonym table as a tuple of stems, mapped to its concepts."""
    table: dict[tuple[str, ...], list[Concept]] = {}
    longest = 1
    for concept in CONCEPTS:
        for phrase in concept.en:
            key = tuple(stem(word) for word in WORD_RE.findall(phrase.lower()))
            if key:
                table.setdefault(key, []).append(concept)
                longest = max(longest, len(key))
    return table, longest


@lru_cache(maxsize=1)
def _zh_terms() -> list[tuple[str, Concept]]:
    terms = [
        (word.lower(), concept)
        for concept in CONCEPTS
        for word in concept.zh
        if re.fullmatch(f"[{CJK}]+", word)
    ]
    return sorted(terms, key=lambda item: -len(item[0]))


def _with_implied(found: list[Concept]) -> list[Concept]:
    result: list[Concept] = []
    for concept in found:
        for item in (concept, *(BY_KEY[key] for key in concept.implies)):
            if item not in result:
                result.append(item)
    return result


def analyse(text: str, *, keep_stopwords: bool = False) -> Analysis:
    """Index tokens of a text: stems, Chinese words, and concept tokens, in text order."""
    cached = _analyse(text or "", keep_stopwords)
    return Analysis(tokens=list(cached[0]), concepts=list(cached[1]))


@lru_cache(maxsize=20_000)
def _analyse(text: str, keep_stopwords: bool) -> tuple[tuple[str, ...], tuple[Concept, ...]]:
    """Registry fields repeat a lot ("Systemic Sclerosis"); analysing each text once pays."""
    result = _analyse_uncached(text, keep_stopwords)
    return tuple(result.tokens), tuple(result.concepts)


def _analyse_uncached(text: str, keep_stopwords: bool) -> Analysis:
    text = normalise(text)
    tokens: list[str] = []
    found: list[Concept] = []
    english: list[str] = []
    table, longest = _phrases()

    def flush_english():
        for start in range(len(english)):
            for size in range(min(longest, len(english) - start), 0, -1):
                for concept in table.get(tuple(english[start : start + size]), ()):
                    if concept not in found:
                        found.append(concept)
        english.clear()

    for match in RUN_RE.finditer(text):
        chinese, latin = match.groups()
        if chinese:
            flush_english()
            for word, concept in _zh_terms():
                if word in chinese and concept not in found:
                    found.append(concept)
            for word in segment(chinese):
                if len(word) >= 2 and (keep_stopwords or word not in _ZH_STOPWORDS):
                    tokens.append(word)
        else:
            for word in WORD_RE.findall(latin):
                stemmed = stem(word)
                english.append(stemmed)
                if word.isdigit() or len(word) < 2:
                    continue
                if keep_stopwords or word not in _EN_STOPWORDS:
                    tokens.append(stemmed)
    flush_english()
    concepts = _with_implied(found)
    tokens.extend(concept.token for concept in concepts)
    return Analysis(tokens=tokens, concepts=concepts)


def analyse_many(texts) -> Analysis:
    """One analysis over several separate fields (a phrase never spans two of them)."""
    result = Analysis()
    for text in texts:
        if not text:
            continue
        part = analyse(text)
        result.tokens.extend(part.tokens)
        for concept in part.concepts:
            if concept not in result.concepts:
                result.concepts.append(concept)
    return result
