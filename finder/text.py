"""Turn registry text and a patient's words into index tokens, the same way on both sides.

English is lower-cased, split into words and stemmed (Snowball English), so "sclerosis" and
"scleroses" meet. Chinese is converted to Simplified (OpenCC) and segmented with jieba, whose
dictionary is taught the disease words of `finder.synonyms`. Any span naming a concept of the
synonym table, in either language, adds that concept's token: this is how a Chinese query
reaches English registry text. Tokens are plain space-separated words, so SQLite FTS5 (the
``unicode61`` tokenizer) and PostgreSQL (``to_tsvector('simple', …)``) index them as they are.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from finder.synonyms import BY_KEY, CONCEPTS, Concept

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"([{_CJK}]+)|([a-z0-9][a-z0-9'\-]*)")
_WORD = re.compile(r"[a-z0-9]+")

# Words too common in registry text to say anything about a trial (plus English function words).
EN_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either etc few for
    from further had has have having he her here hers him his how i if in into is it its itself just
    may me might more most must my no nor not now of off on once only or other our out over own per
    same she should so some such than that the their them then there these they this those through
    to too under until up very via was we were what when where which while who whom why will with
    within without would you your
    patient patients participant participants subject subjects study studies trial trials clinical
    year years month months week weeks day days treatment treated therapy effect effects efficacy
    safety evaluate evaluation assess group groups use used using""".split()
)
ZH_STOPWORDS = frozenset(
    """的 了 和 与 及 或 是 在 有 我 我们 他 她 它 你 您 吗 呢 吧 啊 也 都 就 还 又 很 被 把 从 到 对 给
    为 以 于 用 这 那 个 年 月 日 岁 请问 可以 能否 是否 什么 怎么 哪里 哪些 没有 已经 现在 目前 一直
    患者 病人 妈妈 爸爸 母亲 父亲 家人 孩子 自己 试验 临床试验 研究 治疗 参加 想 希望 医院 医生""".split()
)


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


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    with _lock:
        tokenizer.initialize()
        for concept in CONCEPTS:
            for word in concept.zh:
                tokenizer.add_word(word, freq=200000)
    return tokenizer


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _phrases() -> tuple[dict[tuple[str, ...], list[Concept]], int]:
    """Every English phrase of the synonym table as a tuple of stems, mapped to its concepts."""
    table: dict[tuple[str, ...], list[Concept]] = {}
    longest = 1
    for concept in CONCEPTS:
        for phrase in concept.en:
            key = tuple(stem(word) for word in _WORD.findall(phrase.lower()))
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
        if re.fullmatch(f"[{_CJK}]+", word)
    ]
    return sorted(terms, key=lambda item: -len(item[0]))


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    if re.search(f"[{_CJK}]", text):
        text = _t2s().convert(text)
    return text


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

    for match in _RUN.finditer(text):
        chinese, latin = match.groups()
        if chinese:
            flush_english()
            for word, concept in _zh_terms():
                if word in chinese and concept not in found:
                    found.append(concept)
            for word in _jieba().cut(chinese, HMM=False):
                if len(word) >= 2 and (keep_stopwords or word not in ZH_STOPWORDS):
                    tokens.append(word)
        else:
            for word in _WORD.findall(latin):
                stemmed = stem(word)
                english.append(stemmed)
                if word.isdigit() or len(word) < 2:
                    continue
                if keep_stopwords or word not in EN_STOPWORDS:
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
