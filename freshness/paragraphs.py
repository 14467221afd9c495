"""The plain text of a page's paragraph blocks, as readers read it.

Extraction works on text; the body stores rich-text HTML. Block boundaries and paragraph or
list-item breaks become newlines, entities are decoded, markup is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

_BREAKS = {"p", "li", "br", "h2", "h3", "h4", "ol", "ul", "div"}


@dataclass(frozen=True)
class ParagraphText:
    block_id: str
    text: str
    source: str


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BREAKS and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, [])

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(source: str) -> str:
    parser = _TextParser()
    parser.feed(source)
    parser.close()
    return "".join(parser.parts).strip()


def paragraph_blocks(page) -> list[ParagraphText]:
    """Every paragraph block of a page's body, in order (empty list for pages without one)."""
    body = getattr(page, "body", None)
    if body is None:
        return []
    found = []
    for block in body:
        if block.block_type != "paragraph":
            continue
        source = block.value.source if hasattr(block.value, "source") else str(block.value)
        found.append(ParagraphText(block_id=block.id, text=html_to_text(source), source=source))
    return found
