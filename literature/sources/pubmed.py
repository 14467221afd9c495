"""PubMed through NCBI's E-utilities: find the papers that name a trial, and read their records.

Requests go out with httpx, like the registry client, because Bio.Entrez's own request functions
always call NCBI's host: operators (and tests) must be able to point `ENTREZ_BASE_URL` at a
mirror or a recorded server. The XML is read by Biopython (`Bio.Entrez.read`), which turns it
into lists and dictionaries using the DTD the document names.

Biopython loads those DTDs from its own folder and, if one is missing, downloads it with
`urlopen`, without a timeout and bypassing `ENTREZ_BASE_URL`. A daily job must not hang on that,
and tests must never touch the network, so a document whose DTD Biopython does not have is
refused with an error that says which file is missing and where to put it. Documents that
declare their own entities (an internal DTD subset; NCBI never sends one) are refused too.

NCBI allows 3 requests a second without an API key and 10 with one, answering HTTP 429 beyond
that; the client sets its pace from the key and leaves pacing, retries (429, 5xx, timeouts,
network errors) and Retry-After to the shared `core.http.PoliteClient`, which also keeps the
API key out of every error message.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode, urlparse

import Bio
import httpx
from Bio import Entrez
from Bio.Entrez.Parser import DataHandler

from core.http import PoliteClient, RequestError
from core.identifiers import is_nct_id, normalise_nct_id
from trials.dates import MONTHS, DateParseError, PartialDate

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
TOOL = "living-handbook"
FETCH_BATCH = 200  # NCBI: up to 200 IDs per efetch request keeps responses reasonable
SEARCH_BATCH = 50  # NCT IDs OR'ed into one esearch
SEARCH_RETMAX = 200  # one page of esearch results; more pages are asked for when needed
MAX_GET_QUERY = 1800  # longer parameter lists are POSTed (E-utilities accept both)
INTERVAL_WITHOUT_KEY = 1 / 3
INTERVAL_WITH_KEY = 1 / 10
PMID = re.compile(r"^\d{1,9}$")
CLINICALTRIALS_GOV = "clinicaltrials.gov"


class PubMedError(Exception):
    """A request to E-utilities did not give a usable answer; the message names the request."""


class PubMedRequestError(PubMedError, RequestError):
    """The request failed (network, HTTP error, retries used up, an over-long Retry-After):
    the run stops, to resume later. The message names the request, then what `core.http`
    said; `__cause__` is that error."""


class PubMedBadResponse(PubMedError):
    """E-utilities answered, but not with XML we can read (malformed, unknown DTD, <ERROR>):
    a problem with these records, not with the connection."""


@dataclass
class ParsedPublication:
    """One PubMed record, as stored in `literature.Publication`."""

    pmid: str
    title: str = ""
    journal: str = ""
    journal_abbreviation: str = ""
    pub_date: str = ""  # ISO partial date at PubMed's precision: "2018-05-17", "1990"
    year: int | None = None
    authors: list[str] = field(default_factory=list)
    doi: str = ""
    abstract: str = ""
    publication_types: list[str] = field(default_factory=list)
    databank_accessions: list[dict] = field(default_factory=list)
    is_retracted: bool = False
    retraction_notices: list[dict] = field(default_factory=list)
    erratum_notices: list[dict] = field(default_factory=list)
    raw_xml: str = ""

    @property
    def nct_ids(self) -> list[str]:
        """The ClinicalTrials.gov numbers PubMed lists for this paper (its `[si]` entries)."""
        return [
            normalise_nct_id(item["accession"])
            for item in self.databank_accessions
            if item["databank"].strip().lower() == CLINICALTRIALS_GOV
        ]

    def fields(self) -> dict:
        """Everything but the raw XML: what is compared to tell an update from a re-read."""
        data = asdict(self)
        data.pop("raw_xml")
        return data


@dataclass
class SearchResult:
    count: int
    pmids: list[str]


def chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class PubMedClient:
    """E-utilities for PubMed over the shared polite client. Thread-unsafe; one per sync run.

    The pace is NCBI's: one request per 1/3 s without an API key, 1/10 s with one. Every
    other keyword (timeout, max_retries, backoff_base, backoff_max, max_retry_after,
    transport, sleep, clock, wall_clock, jitter, user_agent) goes to `PoliteClient` as it is.
    """

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        email: str = "",
        api_key: str = "",
        min_interval: float | None = None,
        max_retries: int = 4,
        **options,
    ):
        self.email = email
        self.api_key = api_key
        if min_interval is None:
            min_interval = INTERVAL_WITH_KEY if api_key else INTERVAL_WITHOUT_KEY
        self.http = PoliteClient(
            base_url,
            min_interval=min_interval,
            max_retries=max_retries,
            redact=("api_key",),
            **options,
        )

    @classmethod
    def from_settings(cls, **overrides) -> PubMedClient:
        from django.conf import settings

        options = {
            "base_url": settings.ENTREZ_BASE_URL,
            "email": settings.ENTREZ_EMAIL or "",
            "api_key": settings.ENTREZ_API_KEY or "",
        }
        options.update(overrides)
        return cls(**options)

    @property
    def requests_sent(self) -> int:
        return self.http.requests_sent

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> PubMedClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- the questions we ask -------------------------------------------------------------

    def search_si(self, nct_ids: Iterable[str]) -> dict[str, list[str]]:
        """PMIDs per NCT number, by one `NCT…[si]` esearch each: exact, one request per trial."""
        found = {}
        for nct_id in dict.fromkeys(normalise_nct_id(value) for value in nct_ids):
            _check_nct_id(nct_id)
            found[nct_id] = self._search_all(f"{nct_id}[si]", description=f"esearch {nct_id}[si]")
        return found

    def search_si_any(self, nct_ids: Iterable[str]) -> list[str]:
        """PMIDs naming any of the NCT numbers, by one OR'ed esearch (all pages).

        The answer does not say which number matched; the caller reads that from each
        record's DataBankList, the very field PubMed's `[si]` index is built from.
        """
        ids = list(dict.fromkeys(normalise_nct_id(value) for value in nct_ids))
        for nct_id in ids:
            _check_nct_id(nct_id)
        if not ids:
            return []
        term = " OR ".join(f"{nct_id}[si]" for nct_id in ids)
        if len(ids) == 1:
            description = f"esearch {ids[0]}[si]"
        else:
            description = f"esearch [si] of {len(ids)} NCT numbers ({ids[0]} … {ids[-1]})"
        return self._search_all(term, description=description)

    def fetch(self, pmids: Iterable[str]) -> list[ParsedPublication]:
        """The PubMed records of these PMIDs, in batches of at most 200 per efetch.

        PMIDs PubMed does not know are simply absent from the result.
        """
        ids = list(dict.fromkeys(str(value).strip() for value in pmids))
        for pmid in ids:
            if not PMID.match(pmid):
                raise ValueError(f"not a PMID: {pmid!r}")
        publications = []
        for batch in chunks(ids, FETCH_BATCH):
            description = f"efetch of {len(batch)} PMID(s) ({_preview(batch)})"
            response = self._request(
                "efetch", {"id": ",".join(batch), "retmode": "xml"}, description=description
            )
            publications.extend(parse_efetch(response.content, request=description))
        return publications

    # -- plumbing -------------------------------------------------------------------------

    def _search_all(self, term: str, *, description: str) -> list[str]:
        pmids: list[str] = []
        while True:
            params = {"term": term, "retmode": "xml", "retmax": SEARCH_RETMAX}
            if pmids:
                params["retstart"] = len(pmids)
            response = self._request("esearch", params, description=description)
            result = parse_esearch(response.content, request=description)
            pmids.extend(pmid for pmid in result.pmids if pmid not in pmids)
            if not result.pmids or len(pmids) >= result.count:
                return pmids

    def _request(self, utility: str, params: dict, *, description: str) -> httpx.Response:
        params = {"db": "pubmed", **params, "tool": TOOL}
        if self.email:
            params["email"] = self.email
        if self.api_key:
            params["api_key"] = self.api_key
        path = f"{utility}.fcgi"
        try:
            if len(urlencode(params)) > MAX_GET_QUERY:
                return self.http.post(path, data=params)
            return self.http.get(path, params=params)
        except RequestError as exc:
            raise PubMedRequestError(
                f"{description}: {exc}",
                url=exc.url,
                status_code=exc.status_code,
                server_said=exc.server_said,
            ) from exc


def _check_nct_id(nct_id: str) -> None:
    if not is_nct_id(nct_id):
        raise ValueError(f"not an NCT number: {nct_id!r}")


def _preview(ids: list[str], shown: int = 3) -> str:
    head = ", ".join(ids[:shown])
    return head + (f", … {ids[-1]}" if len(ids) > shown else "")


def _excerpt(content: bytes, limit: int = 200) -> str:
    text = " ".join(content[:limit].decode("utf-8", errors="replace").split())
    return repr(text) if text else "(empty body)"


# -- reading the XML ------------------------------------------------------------------------

_DOCTYPE = re.compile(
    rb"<!DOCTYPE\s+[^\s\[>]+\s+"
    rb"(?:PUBLIC\s+(?:\"[^\"]*\"|'[^']*')\s+|SYSTEM\s+)"
    rb"(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)')\s*(?P<subset>\[)?"
)
_ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)
_FIRST_PMID = re.compile(rb"<PMID[^>]*>\s*(\d+)\s*</PMID>")
# PubMed allows these inline tags in titles and abstracts; Biopython keeps them as text.
_INLINE_MARKUP = re.compile(r"</?(?:i|b|u|sub|sup|mml:[\w-]+)(?:\s[^<>]*)?/?>")


def read_entrez(content: bytes, *, request: str):
    """Parse an E-utilities XML answer with Biopython, offline, or raise PubMedBadResponse."""
    _check_document_type(content, request=request)
    try:
        return Entrez.read(io.BytesIO(content), validate=False)
    except RuntimeError as exc:  # an <ERROR> element: E-utilities refused the request
        raise PubMedBadResponse(f"{request}: E-utilities reported an error: {exc}") from exc
    except ValueError as exc:  # NotXMLError, CorruptedXMLError, no DTD at all
        raise PubMedBadResponse(
            f"{request}: the answer ({len(content)} bytes) is not readable E-utilities XML "
            f"({exc}); it begins {_excerpt(content)}"
        ) from exc


def _check_document_type(content: bytes, *, request: str) -> None:
    head = content[:4096]
    start = head.find(b"<!DOCTYPE")
    if start == -1:
        return  # Biopython refuses it with its own message ("neither a DTD nor a Schema")
    match = _DOCTYPE.match(head, start)
    if match is None:
        raise PubMedBadResponse(
            f"{request}: unexpected document type declaration {_excerpt(head[start:])}"
        )
    if match.group("subset"):
        raise PubMedBadResponse(
            f"{request}: the answer declares its own DTD subset (entities), which NCBI never "
            "sends; refused"
        )
    system_id = (match.group("dq") or match.group("sq") or b"").decode("ascii", "replace")
    filename = posixpath.basename(urlparse(system_id).path)
    if not _dtd_available(filename):
        local = DataHandler.local_dtd_dir or "Biopython's local DTD folder"
        raise PubMedBadResponse(
            f"{request}: the answer uses the DTD {filename!r}, which Biopython {Bio.__version__} "
            f"does not include; we do not download it while parsing. Upgrade Biopython or save "
            f"{system_id} into {local}"
        )


def _dtd_available(filename: str) -> bool:
    if not filename:
        return False
    folders = [DataHandler.local_dtd_dir, DataHandler.global_dtd_dir]
    return any(folder and os.path.isfile(os.path.join(folder, filename)) for folder in folders)


def parse_esearch(content: bytes, *, request: str) -> SearchResult:
    record = read_entrez(content, request=request)
    try:
        count = int(record["Count"])
        pmids = [str(pmid) for pmid in record["IdList"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise PubMedBadResponse(
            f"{request}: the answer is not an esearch result (no Count or IdList); "
            f"it begins {_excerpt(content)}"
        ) from exc
    return SearchResult(count=count, pmids=pmids)


def parse_efetch(content: bytes, *, request: str) -> list[ParsedPublication]:
    """Every PubmedArticle of an efetch answer; each keeps its own XML as PubMed sent it.

    The fields come from Biopython's parse. The raw text of each article is cut out of the
    answer only to be stored, matched to its record by PMID.
    """
    record = read_entrez(content, request=request)
    try:
        articles = list(record["PubmedArticle"])
    except (KeyError, TypeError) as exc:
        raise PubMedBadResponse(
            f"{request}: the answer is not a PubmedArticleSet; it begins {_excerpt(content)}"
        ) from exc
    raw_by_pmid = {}
    for match in _ARTICLE.finditer(content):
        pmid = _FIRST_PMID.search(match.group(0))
        if pmid:
            raw_by_pmid[pmid.group(1).decode()] = match.group(0).decode("utf-8", "replace")
    publications = []
    for article in articles:
        try:
            publication = _publication(article)
        except (KeyError, TypeError, ValueError) as exc:
            raise PubMedBadResponse(
                f"{request}: a PubmedArticle lacks what every record has ({exc!r})"
            ) from exc
        publication.raw_xml = raw_by_pmid.get(publication.pmid, "")
        publications.append(publication)
    return publications


def _publication(article) -> ParsedPublication:
    citation = article["MedlineCitation"]
    data = citation["Article"]
    journal = data.get("Journal", {})
    pub_date = _pub_date(journal.get("JournalIssue", {}).get("PubDate", {}))
    if pub_date is None:
        for electronic in data.get("ArticleDate", []):
            pub_date = _pub_date(electronic)
            if pub_date:
                break
    types = [_plain(kind) for kind in data.get("PublicationTypeList", [])]
    retractions, errata = [], []
    for comment in citation.get("CommentsCorrectionsList", []):
        kind = comment.attributes.get("RefType", "")
        notice = {
            "type": kind,
            "source": _plain(comment.get("RefSource", "")),
            "pmid": _plain(comment.get("PMID", "")),
        }
        if kind in ("RetractionIn", "RetractionOf"):
            retractions.append(notice)
        elif kind == "ErratumIn":
            errata.append(notice)
    return ParsedPublication(
        pmid=_plain(citation["PMID"]),
        title=_plain(data.get("ArticleTitle", "")) or _plain(data.get("VernacularTitle", "")),
        journal=_plain(journal.get("Title", "")),
        journal_abbreviation=_plain(journal.get("ISOAbbreviation", ""))
        or _plain(citation.get("MedlineJournalInfo", {}).get("MedlineTA", "")),
        pub_date=pub_date.iso if pub_date else "",
        year=pub_date.year if pub_date else None,
        authors=_authors(data.get("AuthorList", [])),
        doi=_doi(article, data),
        abstract=_abstract(data.get("Abstract", {})),
        publication_types=types,
        databank_accessions=[
            {"databank": _plain(bank.get("DataBankName", "")), "accession": _plain(accession)}
            for bank in data.get("DataBankList", [])
            for accession in bank.get("AccessionNumberList", [])
        ],
        is_retracted="Retracted Publication" in types
        or any(notice["type"] == "RetractionIn" for notice in retractions),
        retraction_notices=retractions,
        erratum_notices=errata,
    )


def _plain(value) -> str:
    """Text without PubMed's inline markup, on one line."""
    return " ".join(_INLINE_MARKUP.sub("", str(value)).split())


def _pub_date(value) -> PartialDate | None:
    """PubMed's date at its own precision; a MedlineDate range ("1998 Dec-1999 Jan") or a
    season keeps only its first year, as we never invent a month."""
    year = str(value.get("Year", "")).strip()
    if year.isdigit():
        month = _month(value.get("Month"))
        day = str(value.get("Day", "")).strip()
        try:
            return PartialDate(int(year), month, int(day) if month and day.isdigit() else None)
        except DateParseError:
            return PartialDate(int(year))
    found = re.match(r"\s*(\d{4})", str(value.get("MedlineDate", "")))
    return PartialDate(int(found.group(1))) if found else None


def _month(value) -> int | None:
    text = str(value or "").strip().lower()
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    return MONTHS.get(text) or MONTHS.get(text[:3])


def _authors(author_list) -> list[str]:
    names = []
    for author in author_list:
        if author.attributes.get("ValidYN", "Y") != "Y":
            continue
        if author.get("CollectiveName"):
            names.append(_plain(author["CollectiveName"]))
            continue
        last = _plain(author.get("LastName", ""))
        initials = _plain(author.get("Initials", "")) or _plain(author.get("ForeName", ""))
        if last:
            names.append(f"{last} {initials}".strip())
    return names


def _doi(article, data) -> str:
    for identifier in article.get("PubmedData", {}).get("ArticleIdList", []):
        if identifier.attributes.get("IdType") == "doi":
            return _plain(identifier)
    for location in data.get("ELocationID", []):
        if location.attributes.get("EIdType") == "doi":
            return _plain(location)
    return ""


def _abstract(abstract) -> str:
    parts = []
    for text in abstract.get("AbstractText", []) if abstract else []:
        label = getattr(text, "attributes", {}).get("Label", "")
        body = _plain(text)
        parts.append(f"{label}: {body}" if label else body)
    return "\n\n".join(part for part in parts if part)
