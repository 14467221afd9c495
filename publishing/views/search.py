"""The reader's search page: handbook pages and trials, in the page's language."""

from django.shortcuts import render
from django.utils.translation import get_language

from publishing.search import search, status_text

MAX_QUERY_LENGTH = 200


def search_view(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = search(query, locale=get_language()) if query else None
    trials = []
    if results is not None:
        for hit in results.trials:
            document = hit.document
            cited = document.cited_on.get(get_language())
            trials.append(
                {
                    "hit": hit,
                    "status": status_text(document),
                    "card_page": cited[0] if cited else "",
                    "url": cited[1] if cited else document.url,
                    "on_registry": cited is None,
                }
            )
    return render(
        request,
        "publishing/search.html",
        {"query": query, "results": results, "trial_rows": trials, "search_query": query},
    )
