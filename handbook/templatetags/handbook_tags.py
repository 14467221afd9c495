"""Template helpers for handbook pages."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.identifiers import nct_url, replace_all

register = template.Library()

_TAG_SPLIT = re.compile(r"(<[^>]*>)")


def _carded_ids(page) -> set[str]:
    if page is None or not hasattr(page, "cited_nct_ids"):
        return set()
    cached = getattr(page, "_carded_ids_cache", None)
    if cached is None:
        cached = set(page.cited_nct_ids())
        page._carded_ids_cache = cached
    return cached


def link_nct_ids_in_html(html: str, carded: set[str]) -> str:
    """Wrap each NCT number in the text of `html` with a link to its card (or the registry).

    Only text between tags is touched, and nothing inside an existing link.
    """
    out = []
    depth_in_link = 0
    for part in _TAG_SPLIT.split(html):
        if part.startswith("<"):
            lowered = part.lower()
            if lowered.startswith("<a ") or lowered == "<a>":
                depth_in_link += 1
            elif lowered.startswith("</a"):
                depth_in_link = max(0, depth_in_link - 1)
            out.append(part)
        elif depth_in_link:
            out.append(part)
        else:
            out.append(
                replace_all(
                    part,
                    lambda mention: _nct_link(mention.trial_id.value, carded),
                    registries=("NCT",),
                )
            )
    return "".join(out)


def _nct_link(nct_id: str, carded: set[str]) -> str:
    if nct_id in carded:
        return f'<a class="nct-link" href="#trial-{nct_id}">{nct_id}</a>'
    url = escape(nct_url(nct_id))
    return f'<a class="nct-link" href="{url}" rel="noopener">{nct_id}</a>'


@register.simple_tag(takes_context=True)
def paragraph_with_trial_links(context, value):
    return mark_safe(link_nct_ids_in_html(str(value), _carded_ids(context.get("page"))))  # noqa: S308
