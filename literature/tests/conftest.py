"""Test setup for publications: real PubMed records served by a recorded E-utilities server.

Every test here runs with the network blocked (any connection or name lookup beyond this
machine raises), so neither the client nor Biopython's DTD loader can reach NCBI unnoticed.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from literature.sources.pubmed import PubMedClient
from tests.network import NetworkBlocked  # noqa: F401  (tests import it from here)

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = "https://eutils.test/entrez/eutils"
ESEARCH = f"{BASE_URL}/esearch.fcgi"
EFETCH = f"{BASE_URL}/efetch.fcgi"

EFETCH_HEAD = (
    b'<?xml version="1.0" ?>\n'
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
ESEARCH_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n'
    b'<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    b'"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _articles_in(path: Path) -> dict[str, bytes]:
    found = {}
    for match in re.finditer(rb"<PubmedArticle>.*?</PubmedArticle>", path.read_bytes(), re.S):
        pmid = re.search(rb"<PMID[^>]*>(\d+)</PMID>", match.group(0)).group(1).decode()
        found[pmid] = match.group(0)
    return found


def real_articles() -> dict[str, bytes]:
    """PMID → the <PubmedArticle> element of every real record under fixtures/efetch/."""
    found = {}
    for path in sorted((FIXTURES / "efetch").glob("*.xml")):
        found.update(_articles_in(path))
    return found


def altered_retracted_article() -> dict[str, bytes]:
    return _articles_in(FIXTURES / "altered" / "altered-30108519-retraction-and-erratum-added.xml")


def efetch_body(articles: list[bytes]) -> bytes:
    """An efetch answer holding these articles, as E-utilities assembles one."""
    return EFETCH_HEAD + b"<PubmedArticleSet>\n" + b"\n".join(articles) + b"\n</PubmedArticleSet>\n"


def esearch_body(pmids: list[str], translation: str, *, count: int | None = None) -> bytes:
    """An esearch answer in E-utilities' format (see fixtures/esearch/)."""
    if not pmids and count in (None, 0):
        return (
            ESEARCH_HEAD
            + (
                f"<eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart><IdList/>"
                f"<TranslationSet/><QueryTranslation>({translation})</QueryTranslation>"
                f"<ErrorList><PhraseNotFound>{translation}</PhraseNotFound></ErrorList>"
                f"<WarningList><OutputMessage>No items found.</OutputMessage></WarningList>"
                f"</eSearchResult>\n"
            ).encode()
        )
    ids = "".join(f"<Id>{pmid}</Id>\n" for pmid in pmids)
    total = len(pmids) if count is None else count
    return (
        ESEARCH_HEAD
        + (
            f"<eSearchResult><Count>{total}</Count><RetMax>{len(pmids)}</RetMax>"
            f"<RetStart>0</RetStart><IdList>\n{ids}</IdList><TranslationSet/>"
            f"<QueryTranslation>{translation}</QueryTranslation></eSearchResult>\n"
        ).encode()
    )


def request_params(request: httpx.Request) -> dict[str, str]:
    """The E-utilities parameters of a request, whether sent as GET query or POST form."""
    params = dict(request.url.params)
    if request.method == "POST":
        params.update({k: v[0] for k, v in parse_qs(request.content.decode()).items()})
    return params


class FakeEutils:
    """A recorded E-utilities server: answers esearch `NCT…[si]` from `si` (NCT → PMIDs)
    and efetch from the real records in fixtures/, in E-utilities' own formats.

    An NCT number missing from `si` has nothing in PubMed. `overrides` lets a test put a raw
    answer (a 429, a broken record) first in line for a utility; a search naming an NCT number
    in `down` gets HTTP 502, as from a failing gateway.
    """

    def __init__(self, router: respx.MockRouter, *, si: dict[str, list[str]] | None = None):
        self.si = dict(si or {})
        self.articles = real_articles()
        self.unreadable: dict[str, bytes] = {}
        self.overrides: dict[str, list[httpx.Response]] = {"esearch": [], "efetch": []}
        self.calls: list[tuple[str, dict]] = []
        self.down: set[str] = set()
        router.route(url=ESEARCH).mock(side_effect=self._esearch)
        router.route(url=EFETCH).mock(side_effect=self._efetch)

    def searches(self) -> list[str]:
        return [params["term"] for utility, params in self.calls if utility == "esearch"]

    def fetches(self) -> list[list[str]]:
        return [params["id"].split(",") for utility, params in self.calls if utility == "efetch"]

    def _esearch(self, request: httpx.Request) -> httpx.Response:
        params = request_params(request)
        self.calls.append(("esearch", params))
        if self.overrides["esearch"]:
            return self.overrides["esearch"].pop(0)
        ids = re.findall(r"(NCT\d{8})\[si\]", params["term"])
        if self.down & set(ids):
            return httpx.Response(502, text="Bad Gateway")
        pmids = [pmid for nct_id in ids for pmid in self.si.get(nct_id) or []]
        return httpx.Response(200, content=esearch_body(list(dict.fromkeys(pmids)), params["term"]))

    def _efetch(self, request: httpx.Request) -> httpx.Response:
        params = request_params(request)
        self.calls.append(("efetch", params))
        if self.overrides["efetch"]:
            return self.overrides["efetch"].pop(0)
        wanted = params["id"].split(",")
        bad = [pmid for pmid in wanted if pmid in self.unreadable]
        if bad:
            return httpx.Response(200, content=self.unreadable[bad[0]])
        found = [self.articles[pmid] for pmid in wanted if pmid in self.articles]
        return httpx.Response(200, content=efetch_body(found))


class FakeClock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def make_client(clock):
    clients = []

    def make(**options) -> PubMedClient:
        defaults = {
            "base_url": BASE_URL,
            "email": "handbook@example.org",
            "sleep": clock.sleep,
            "clock": clock,
            "jitter": lambda: 0.5,
        }
        client = PubMedClient(**{**defaults, **options})
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def eutils():
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield FakeEutils(router)
