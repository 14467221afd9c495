"""Turns the text extracted from an organisation's PDF brochure into handbook content.

Brochures reach us as Markdown-ish text that a PDF extractor wrote: the organisation's
header and contact block repeat on every page, pages break in the middle of sentences,
headings come out at the wrong level and line ends carry Markdown hard breaks. This
module only reads text and returns plain data, so it can be tested without a database and
reused by the import command, an upload form or a preview.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.identifiers import find_nct_ids


@dataclass
class Heading:
    """A section heading; `level` is "h2" (section) or "h3" (subsection)."""

    text: str
    level: str = "h2"


@dataclass
class Paragraph:
    """Body text as plain text, without markup, ready to be escaped into a paragraph block."""

    text: str


@dataclass
class TrialRef:
    """A live trial card to place at this point of the page."""

    nct_id: str


Block = Heading | Paragraph | TrialRef


@dataclass
class Brochure:
    """What one brochure says, split into page body and facts about the organisation.

    The organisation's header, intro and contact details repeat on every brochure, so they
    belong in the site's settings rather than on each page; `warnings` and `repairs` tell an
    editor what to check before the page goes live.
    """

    title: str
    section: str = ""
    section_en: str = ""
    blocks: list[Block] = field(default_factory=list)
    organisation: dict[str, str] = field(default_factory=dict)
    disclaimer: str = ""
    warnings: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)


class BrochureError(ValueError):
    """The file cannot be read as a brochure; the message tells a person what to do."""


HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
NUMBERED_RE = re.compile(r"^(\d{1,2})\s*[)）]\s*(\S.*)$")
SECTION_RE = re.compile(r"^(.*?\S)\s*(?:>{2,}|»+|》{2,})$")
HR_RE = re.compile(r"^\s*([-*_—])(\s*\1){2,}\s*$")
CAPS_LABEL_RE = re.compile(r"^[A-Z][A-Z &/'’-]*[A-Z]$")
PAGE_NUMBER_RE = re.compile(
    r"^(?:[-–—]\s*)?\d{1,3}(?:\s*[-–—])?$|^第\s*\d{1,3}\s*页$|^\d{1,3}\s*/\s*\d{1,3}$"
)
QR_RE = re.compile(
    r"^(扫码关注|扫一扫|扫描二维码|长按识别二维码|长按二维码|scan (the )?qr code)", re.I
)
ORG_TITLE_RE = re.compile(
    r"^(机构简介|关于我们|机构介绍|about us|about the organi[sz]ation)$", re.I
)
CONTACT_TITLE_RE = re.compile(r"^(联系方式|联系我们|contact|contact us|contact information)$", re.I)
ORG_MARKERS = {"ORGANIZATION INTRODUCTION", "ORGANISATION INTRODUCTION", "ABOUT US"}
ORG_SUFFIX_RE = re.compile(
    r"(中心|协会|基金会|联合会|学会|研究会|研究院|研究所|俱乐部|服务社|之家)$"
)
TERMINAL = set("。！？；…”」』）》.!?;:：)]\"'’")
NO_HEADING_PUNCT_RE = re.compile(r"[。，；,;!！]|\.(\s|$)")
TABLE_RE = re.compile(r"^\|.*\|$")
IMAGE_RE = re.compile(r"^!\[")
HTML_LINE_RE = re.compile(r"^</?[A-Za-z][^>]*>")
BULLET_RE = re.compile(r"^([-*+•·]\s+|\d{1,3}\.\s+)")
QUOTE_RE = re.compile(r"^(>\s|```)")
INLINE_MARKUP_RE = re.compile(r"\*\*[^*]+\*\*|__[^_]+__|\[[^\]]+\]\([^)]+\)|</?[A-Za-z][^>]*>")
DISCLAIMER_ZH_RES = [
    re.compile(r"医疗建议"),
    re.compile(r"诊断|医嘱|疗法"),
    re.compile(r"不|非|取代|代替"),
]
DISCLAIMER_EN_RES = [
    re.compile(r"medical advice", re.I),
    re.compile(r"\bnot\b|n't|substitute|replace", re.I),
]
CREDIT_RE = re.compile(
    r"授权翻译|翻译授权|translated (with|by|under)|translation (by|courtesy)", re.I
)
INTRO_SHORT_NAME_RE = re.compile(r"简称\s*[：:]\s*([^，,；;）)]+)")
QQ_RE = re.compile(r"^(\d{5,12})\s*(?:[（(]\s*(.*?)\s*[）)]?)?$")
LABEL_RE = re.compile(r"^\s*([^：:]{1,12}?)\s*[：:]\s*(.*)$")
LABELS = [
    (re.compile(r"^愿景$|^vision$", re.I), "vision"),
    (re.compile(r"^使命$|^mission$", re.I), "mission"),
    (re.compile(r"^(口号|标语)$|^(slogan|motto)$", re.I), "slogan"),
    (re.compile(r"^(办公|联系|咨询)?电话$|^手机$|^(phone|tel|telephone)$", re.I), "phone"),
    (re.compile(r"^(电子)?邮箱$|^邮件$|^e-?mail$", re.I), "email"),
    (re.compile(r"^(网站|官网|网址)$|^(website|web)$", re.I), "website"),
    (re.compile(r"^(新浪)?微博$|^weibo$", re.I), "weibo"),
    (re.compile(r"^(微信)?公众号$|^微信$|^wechat$", re.I), "wechat_account"),
    (re.compile(r"qq\s*群$|^qq group$", re.I), "qq_group"),
]


def parse_brochure(data: bytes, *, source_name: str) -> Brochure:
    """Read one brochure's extracted text; raise BrochureError if it cannot be a brochure."""
    text = _decode(data, source_name)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = list(enumerate(lines, start=1))
    title_index = next((i for i, (_n, line) in enumerate(numbered) if _title_of(line)), None)
    if title_index is None:
        raise BrochureError(
            _(
                "No title found: the brochure's title must be a line starting with “# ”, "
                "for example “# 间充质干细胞”."
            )
        )
    title = _title_of(numbered[title_index][1])
    brochure = Brochure(title=title)
    parser = _Parser(brochure)
    parser.read_header(numbered[:title_index])
    rest = numbered[title_index + 1 :]
    org_start = _organisation_start(rest)
    parser.read_body(rest[:org_start])
    parser.read_organisation(rest[org_start:])
    parser.finish()
    return brochure


def _decode(data: bytes, source_name: str) -> str:
    """Decode as UTF-8, explaining the usual ways a text export goes wrong."""
    if not data:
        raise BrochureError(_("The file is empty: there is no text to import."))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BrochureError(_("The file is saved as UTF-16. Save it as UTF-8 and upload it again."))
    if b"\x00" in data:
        if source_name.lower().endswith((".pdf", ".doc", ".docx")) or data.startswith(b"%PDF"):
            raise BrochureError(
                _(
                    "This is the PDF or Word file itself, not the text extracted from it. "
                    "Extract the text to a UTF-8 .txt file and upload that."
                )
            )
        raise BrochureError(
            _(
                "The file contains NUL bytes, so it is a binary file, not text. "
                "Extract the brochure's text to a UTF-8 .txt file and upload that."
            )
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            guess = data.decode("gb18030")
        except UnicodeDecodeError:
            guess = ""
        if any(_is_han(char) for char in guess):
            raise BrochureError(
                _(
                    "The file is not UTF-8: it seems to be GBK/GB18030 (a common Chinese "
                    "encoding). Save it as UTF-8 and upload it again."
                )
            ) from exc
        raise BrochureError(
            _(
                "The file is not UTF-8 text (invalid byte at position %(position)d). "
                "Save it as UTF-8 and upload it again."
            )
            % {"position": exc.start}
        ) from exc
    if not text.strip():
        raise BrochureError(
            _("The file contains only blank lines and spaces: there is no text to import.")
        )
    return text


def _title_of(line: str) -> str:
    match = HEADING_RE.match(line)
    if match and len(match.group(1)) == 1 and match.group(2):
        return match.group(2)
    return ""


def _organisation_start(lines: list[tuple[int, str]]) -> int:
    """Index where the organisation's own pages (intro, contact) begin; len(lines) if none."""
    for index, (_n, line) in enumerate(lines):
        stripped = line.strip()
        heading = HEADING_RE.match(line)
        if heading and (
            ORG_TITLE_RE.match(heading.group(2)) or CONTACT_TITLE_RE.match(heading.group(2))
        ):
            return index
        if stripped in ORG_MARKERS:
            return index
        if CAPS_LABEL_RE.match(stripped) and index + 1 < len(lines):
            if f"{stripped} {lines[index + 1][1].strip()}" in ORG_MARKERS:
                return index
    return len(lines)


def _is_layout_furniture(text: str) -> bool:
    return bool(
        HR_RE.match(text) or PAGE_NUMBER_RE.match(text) or (QR_RE.match(text) and len(text) <= 20)
    )


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _is_han(char: str) -> bool:
    return _is_wide(char) and unicodedata.category(char).startswith("L")


def _has_cjk(text: str) -> bool:
    return any(_is_wide(char) for char in text)


def _join(left: str, right: str) -> str:
    """Join two pieces of one sentence: nothing between CJK text, one space between words."""
    if not left or not right:
        return left + right
    if _is_wide(left[-1]) or _is_wide(right[0]):
        return left + right
    return f"{left} {right}"


def _join_lines(lines: list[str]) -> str:
    text = ""
    for line in lines:
        text = _join(text, line.strip())
    return text


def _ends_sentence(text: str) -> bool:
    return bool(text) and text[-1] in TERMINAL


def _is_disclaimer(text: str) -> bool:
    """The "this is not medical advice" notice, which the site shows once in its footer."""
    return any(
        all(pattern.search(text) for pattern in patterns)
        for patterns in (DISCLAIMER_ZH_RES, DISCLAIMER_EN_RES)
    )


def _label_of(line: str) -> tuple[str, str] | None:
    match = LABEL_RE.match(line)
    if not match:
        return None
    for pattern, key in LABELS:
        if pattern.search(match.group(1).strip()):
            return key, match.group(2).strip()
    return None


def _excerpt(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass
class _Gap:
    """What separated an item from the one before it; a PDF page break leaves a wide gap."""

    blank: int = 0
    whitespace: bool = False
    furniture: bool = False

    @property
    def page_break(self) -> bool:
        return self.blank >= 2 or self.whitespace or self.furniture


@dataclass
class _Item:
    kind: str
    first: int
    last: int
    text: str
    gap: _Gap
    hashes: int = 0
    heading: Heading | None = None

    @property
    def joinable(self) -> bool:
        return self.kind == "paragraph"


class _Parser:
    """Holds the brochure being built so each part of the file can add warnings and repairs."""

    def __init__(self, brochure: Brochure):
        self.brochure = brochure
        self.furniture_lines: set[str] = {brochure.title}
        self.disclaimers: list[str] = []

    def warn(self, message: str) -> None:
        self.brochure.warnings.append(message)

    def read_header(self, lines: list[tuple[int, str]]) -> None:
        """Take the organisation's name, tagline and the brochure's section from the header.

        Header lines are poster lettering, so a lettering line break becomes a space.
        """
        org = self.brochure.organisation
        named_groups = 0
        for group in self._header_groups(lines):
            rest = []
            position = 0
            while position < len(group):
                number, text = group[position]
                if _is_layout_furniture(text):
                    position += 1
                    continue
                self.furniture_lines.add(text)
                section = SECTION_RE.match(text)
                if section and not self.brochure.section:
                    self.brochure.section = section.group(1)
                    following = group[position + 1][1] if position + 1 < len(group) else ""
                    if following and not _has_cjk(following):
                        self.brochure.section_en = following
                        self.furniture_lines.add(following)
                        position += 1
                else:
                    rest.append((number, text))
                position += 1
            if not rest:
                continue
            named_groups += 1
            texts = [text for _n, text in rest]
            latin = [text for text in texts if not _has_cjk(text)]
            cjk = [text for text in texts if _has_cjk(text)]
            short_name = org.get("short_name", "")
            if len(cjk) == 1 and _has_cjk(texts[0]) and latin and "short_name" not in org:
                org["short_name"] = texts[0]
                org.setdefault("name_en", " ".join(latin))
            elif (
                len(texts) == 1
                and cjk
                and "full_name" not in org
                and (ORG_SUFFIX_RE.search(texts[0]) or (short_name and short_name in texts[0]))
            ):
                org["full_name"] = texts[0]
            elif (
                len(texts) == 1
                and cjk
                and named_groups == 1
                and len(texts[0]) <= 15
                and " " not in texts[0]
            ):
                org["short_name"] = texts[0]
            elif not latin and "tagline" not in org:
                org["tagline"] = " ".join(texts)
            elif not cjk and "name_en" not in org:
                org["name_en"] = " ".join(texts)
            else:
                for number, text in rest:
                    self.warn(
                        _(
                            "Line %(line)d: header text not recognised; left out of the page: “%(text)s”."
                        )
                        % {"line": number, "text": _excerpt(text)}
                    )

    @staticmethod
    def _header_groups(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
        groups: list[list[tuple[int, str]]] = [[]]
        for number, line in lines:
            if line.strip():
                groups[-1].append((number, line.strip()))
            elif groups[-1]:
                groups.append([])
        return [group for group in groups if group]

    def _is_furniture(self, text: str) -> bool:
        """Running headers, page labels and the like, which the PDF repeats on every page."""
        return bool(
            text in self.furniture_lines
            or _is_layout_furniture(text)
            or (CAPS_LABEL_RE.match(text) and len(text) <= 40)
            or SECTION_RE.match(text)
        )

    def _items(self, lines: list[tuple[int, str]], *, split_on_labels: bool = False) -> list[_Item]:
        """Group lines into headings, paragraphs and unsupported lines, noting the gap before each.

        Lines of one paragraph are joined whether or not they end in a Markdown hard break:
        in an extracted PDF both are only the layout's line wrapping.
        """
        items: list[_Item] = []
        para: list[tuple[int, str]] = []
        gap = _Gap()

        def flush() -> None:
            nonlocal para, gap
            if para:
                text = _join_lines([text for _n, text in para])
                items.append(_Item("paragraph", para[0][0], para[-1][0], text, gap))
                for number, line in para:
                    if INLINE_MARKUP_RE.search(line):
                        self.warn(
                            _(
                                "Line %(line)d: Markdown or HTML markup is not supported; kept as plain text."
                            )
                            % {"line": number}
                        )
                para, gap = [], _Gap()

        for index, (number, line) in enumerate(lines):
            text = line.strip()
            if not text:
                flush()
                gap.blank += 1
                gap.whitespace = gap.whitespace or bool(line)
                continue
            if self._is_furniture(text):
                flush()
                gap.furniture = True
                continue
            heading = HEADING_RE.match(line)
            next_blank = index + 1 >= len(lines) or not lines[index + 1][1].strip()
            if heading or (not para and next_blank and self._bare_numbered(text)):
                flush()
                hashes = len(heading.group(1)) if heading else 0
                heading_text = heading.group(2) if heading else text
                items.append(_Item("heading", number, number, heading_text, gap, hashes))
                gap = _Gap()
                continue
            if (
                TABLE_RE.match(text)
                or IMAGE_RE.match(text)
                or HTML_LINE_RE.match(text)
                or BULLET_RE.match(text)
                or QUOTE_RE.match(text)
            ):
                flush()
                items.append(_Item("unsupported", number, number, text, gap))
                gap = _Gap()
                continue
            if para and split_on_labels and _label_of(text):
                flush()
            para.append((number, text))
        flush()
        return items

    @staticmethod
    def _bare_numbered(text: str) -> bool:
        match = NUMBERED_RE.match(text)
        return bool(match) and len(text) <= 40 and not NO_HEADING_PUNCT_RE.search(match.group(2))

    def read_body(self, lines: list[tuple[int, str]]) -> None:
        items = self._items(lines)
        for item in items:
            if item.kind == "heading":
                item.heading = self._heading(item)
            elif item.kind == "paragraph" and _is_disclaimer(item.text):
                item.kind = "disclaimer"
            elif item.kind == "unsupported":
                self.warn(
                    _(
                        "Line %(line)d: unsupported structure (table, image, list or HTML); "
                        "kept as a plain paragraph: “%(text)s”."
                    )
                    % {"line": item.first, "text": _excerpt(item.text)}
                )
        cited: set[str] = set()
        blocks = self.brochure.blocks
        for item in self._repair_page_breaks(items):
            if item.kind == "heading":
                if item.heading:
                    blocks.append(item.heading)
                continue
            if item.kind == "disclaimer":
                self.disclaimers.append(item.text)
                continue
            if item.kind == "paragraph" and not _ends_sentence(item.text):
                self.warn(
                    _(
                        "Line %(line)d: paragraph ends without punctuation; "
                        "check that nothing is missing: “…%(end)s”."
                    )
                    % {"line": item.last, "end": item.text[-15:]}
                )
            blocks.append(Paragraph(item.text))
            for nct_id in find_nct_ids(item.text):
                if nct_id not in cited:
                    cited.add(nct_id)
                    blocks.append(TrialRef(nct_id))

    def _repair_page_breaks(self, items: list[_Item]) -> list[_Item]:
        """Join a sentence that a page break cut in two.

        Only when the gap looks like a page break, the first part has no sentence-ending
        punctuation and the second starts like the middle of a sentence (a CJK character or a
        lower-case word); a heading between them always ends the sentence.
        """
        merged: list[_Item] = []
        for item in items:
            previous = merged[-1] if merged else None
            if (
                previous is not None
                and previous.joinable
                and item.joinable
                and item.gap.page_break
                and not _ends_sentence(previous.text)
                and (_is_han(item.text[0]) or item.text[0].islower())
            ):
                self.brochure.repairs.append(
                    _(
                        "Lines %(first)d–%(last)d: joined a sentence split by a page break: “…%(before)s|%(after)s…”."
                    )
                    % {
                        "first": previous.last,
                        "last": item.first,
                        "before": previous.text[-8:],
                        "after": item.text[:8],
                    }
                )
                previous.text = _join(previous.text, item.text)
                previous.last = item.last
                continue
            merged.append(item)
        return merged

    def _heading(self, item: _Item) -> Heading | None:
        """Numbered headings are always sections: extraction often gets their level wrong."""
        numbered = NUMBERED_RE.match(item.text)
        if not item.text:
            return None
        if numbered and (item.hashes or self._bare_numbered(item.text)):
            if item.hashes != 2:
                self.brochure.repairs.append(
                    _("Line %(line)d: numbered heading “%(text)s” made a section heading (h2).")
                    % {"line": item.first, "text": _excerpt(item.text)}
                )
            return Heading(numbered.group(2).strip(), "h2")
        if item.hashes == 1:
            self.warn(
                _(
                    "Line %(line)d: a second top-level heading “%(text)s”; made a section heading (h2)."
                )
                % {"line": item.first, "text": _excerpt(item.text)}
            )
            return Heading(item.text, "h2")
        if item.hashes == 2:
            return Heading(item.text, "h2")
        if item.hashes > 3:
            self.warn(
                _(
                    "Line %(line)d: heading level %(level)d is deeper than the handbook supports; made a subsection heading (h3)."
                )
                % {"line": item.first, "level": item.hashes}
            )
        return Heading(item.text, "h3")

    def read_organisation(self, lines: list[tuple[int, str]]) -> None:
        """Take intro, mission and contact details from the organisation's pages."""
        org = self.brochure.organisation
        items = self._items(lines, split_on_labels=True)
        intro: list[str] = []
        labels_seen = False
        index = 0
        while index < len(items):
            item = items[index]
            index += 1
            if item.kind == "heading":
                if not (ORG_TITLE_RE.match(item.text) or CONTACT_TITLE_RE.match(item.text)):
                    self._ignored(item)
                continue
            if item.kind == "unsupported":
                self._ignored(item)
                continue
            if _is_disclaimer(item.text):
                self.disclaimers.append(item.text)
                continue
            label = _label_of(item.text)
            if label:
                labels_seen = True
                self._set_label(item, *label)
            elif CREDIT_RE.search(item.text) and "translation_credit" not in org:
                credit = item.text
                following = items[index] if index < len(items) else None
                if (
                    not _ends_sentence(credit)
                    and following is not None
                    and following.kind == "paragraph"
                    and len(following.text) <= 80
                    and not _label_of(following.text)
                    and not NO_HEADING_PUNCT_RE.search(following.text)
                ):
                    credit = f"{credit} {following.text}"
                    index += 1
                org["translation_credit"] = credit
            elif not labels_seen:
                intro.append(item.text)
            else:
                self._ignored(item)
        if intro:
            org["introduction"] = "\n\n".join(intro)
            self._names_from_introduction(intro[0])

    def _ignored(self, item: _Item) -> None:
        self.warn(
            _("Line %(line)d: organisation text not recognised; left out of the page: “%(text)s”.")
            % {"line": item.first, "text": _excerpt(item.text)}
        )

    def _set_label(self, item: _Item, key: str, value: str) -> None:
        org = self.brochure.organisation
        if not value:
            self._ignored(item)
            return
        if key in org:
            self.warn(
                _("Line %(line)d: a second “%(label)s” (%(value)s); the first one is kept.")
                % {"line": item.first, "label": key, "value": value}
            )
            return
        if key == "qq_group":
            match = QQ_RE.match(value)
            if match:
                value = match.group(1)
                if match.group(2):
                    org["qq_group_rule"] = match.group(2)
        org[key] = value

    def _names_from_introduction(self, intro: str) -> None:
        """A brochure without a header still names the organisation: "X（简称：Y，…）"."""
        org = self.brochure.organisation
        match = INTRO_SHORT_NAME_RE.search(intro)
        if match:
            org.setdefault("short_name", match.group(1).strip())
            full = re.split(r"[（(]", intro[: match.start()], maxsplit=1)[0].strip()
            if full and len(full) <= 40:
                org.setdefault("full_name", full)

    def finish(self) -> None:
        self.brochure.disclaimer = "\n\n".join(self.disclaimers)
