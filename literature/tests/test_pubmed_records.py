"""Reading real PubMed records (efetch) and esearch answers with Biopython, offline."""

import socket
import urllib.request

import pytest

from literature.sources.pubmed import PubMedBadResponse, parse_efetch, parse_esearch

from .conftest import EFETCH_HEAD, FIXTURES, NetworkBlocked, fixture_bytes


def read(name):
    return parse_efetch(fixture_bytes(name), request=name)


def test_databank_list_of_29768149_names_its_trial():
    [paper] = read("efetch/pubmed-29768149.xml")
    assert paper.pmid == "29768149"
    assert paper.databank_accessions == [
        {"databank": "ClinicalTrials.gov", "accession": "NCT02149199"}
    ]
    assert paper.nct_ids == ["NCT02149199"]
    assert paper.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert paper.journal == "The New England journal of medicine"
    assert paper.journal_abbreviation == "N Engl J Med"
    assert (paper.pub_date, paper.year) == ("2018-05-17", 2018)
    assert paper.authors[0] == "O'Byrne PM" and paper.authors[-1] == "Reddel HK"
    assert len(paper.authors) == 10
    assert paper.doi == "10.1056/NEJMoa1715274"
    assert paper.abstract.startswith("BACKGROUND: In patients with mild asthma")
    assert "\n\nCONCLUSIONS: In patients with mild asthma" in paper.abstract
    assert "Randomized Controlled Trial" in paper.publication_types
    assert not paper.is_retracted
    assert paper.retraction_notices == [] and paper.erratum_notices == []
    assert paper.raw_xml.startswith("<PubmedArticle>")
    assert paper.raw_xml.endswith("</PubmedArticle>")
    assert "<AccessionNumber>NCT02149199</AccessionNumber>" in paper.raw_xml


def test_databank_list_of_22663011_names_its_trial():
    [paper] = read("efetch/efetch_citation_22663011.xml")
    assert paper.nct_ids == ["NCT01245062"]
    assert paper.title == "Improved survival with MEK inhibition in BRAF-mutated melanoma."
    assert (paper.pub_date, paper.year) == ("2012-07-12", 2012)  # <Month>Jul</Month>
    assert paper.authors[-1] == "METRIC Study Group"  # a collective author
    assert paper.doi == "10.1056/NEJMoa1203421"


def test_records_without_links_keep_the_date_precision_pubmed_gave():
    papers = {paper.pmid: paper for paper in read("efetch/pubmed1.xml")}
    assert set(papers) == {"12091962", "9997"}
    assert all(paper.databank_accessions == [] for paper in papers.values())
    assert all(paper.nct_ids == [] for paper in papers.values())
    # "1990 Spring": a season is not a month, so only the year is kept
    assert (papers["12091962"].pub_date, papers["12091962"].year) == ("1990", 1990)
    assert papers["12091962"].abstract == ""
    assert papers["12091962"].publication_types == ["Journal Article", "Review"]
    assert papers["9997"].pub_date == "1976-09-28"
    assert papers["9997"].doi == "10.1016/0005-2795(76)90109-4"


def test_inline_markup_is_dropped_from_titles_and_year_only_dates_stay_years():
    [paper] = read("efetch/pubmed6.xml")
    assert paper.title.startswith('A "Blood Relationship" Between the Overlooked')
    assert "<i>" not in paper.title
    assert paper.pub_date == "2018"


def test_collective_authors_are_kept():
    [paper] = read("efetch/pubmed7.xml")
    assert paper.authors[-1] == "Canadian Respiratory Research Network"
    assert paper.pub_date == "2018-04"


def test_retraction_and_erratum_notices():
    [paper] = read("altered/altered-30108519-retraction-and-erratum-added.xml")
    assert paper.is_retracted
    assert "Retracted Publication" in paper.publication_types
    assert paper.retraction_notices == [
        {
            "type": "RetractionIn",
            "source": "ALTERED FOR A TEST - not a real notice. Front Physiol. 2020;11:2",
            "pmid": "99999991",
        }
    ]
    assert [notice["pmid"] for notice in paper.erratum_notices] == ["99999990"]
    # the cited papers (RefType="Cites") are neither
    assert all(notice["type"] != "Cites" for notice in paper.retraction_notices)


def test_malformed_xml_is_a_clear_error_naming_the_request():
    with pytest.raises(PubMedBadResponse) as caught:
        parse_efetch(
            fixture_bytes("broken/broken-truncated-pubmed-29768149.xml"),
            request="efetch of 1 PMID(s) (29768149)",
        )
    message = str(caught.value)
    assert message.startswith("efetch of 1 PMID(s) (29768149): the answer (6000 bytes)")
    assert "not readable E-utilities XML" in message
    assert "no element found" in message


def test_a_rate_limit_body_is_not_taken_for_xml():
    with pytest.raises(PubMedBadResponse, match=r'begins \'\{"error":"API rate limit exceeded"'):
        parse_esearch(fixture_bytes("ratelimit-429.json"), request="esearch NCT02149199[si]")


def test_an_eutilities_error_element_is_reported():
    with pytest.raises(PubMedBadResponse, match="Empty term and query_key - nothing todo"):
        parse_esearch(fixture_bytes("esearch/esearch-error.xml"), request="esearch")


def test_esearch_answers():
    real = parse_esearch(fixture_bytes("esearch/real-esearch1-biopython.xml"), request="x")
    assert real.count == 63 and len(real.pmids) == 20 and real.pmids[0] == "41282813"
    found = parse_esearch(fixture_bytes("esearch/esearch-NCT02149199.xml"), request="x")
    assert (found.count, found.pmids) == (1, ["29768149"])
    none = parse_esearch(fixture_bytes("esearch/esearch-no-hits-NCT00962923.xml"), request="x")
    assert (none.count, none.pmids) == (0, [])


def test_a_dtd_biopython_lacks_is_refused_instead_of_downloaded():
    content = fixture_bytes("efetch/pubmed1.xml").replace(
        b"pubmed_250101.dtd", b"pubmed_990101.dtd"
    )
    with pytest.raises(PubMedBadResponse) as caught:
        parse_efetch(content, request="efetch")
    assert "'pubmed_990101.dtd'" in str(caught.value)
    assert "does not include" in str(caught.value)


def test_declared_entities_are_refused():
    content = (
        b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "x" '
        b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd" '
        b'[<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        b"<PubmedArticleSet></PubmedArticleSet>"
    )
    with pytest.raises(PubMedBadResponse, match="declares its own DTD subset"):
        parse_efetch(content, request="efetch")


def test_no_dtd_at_all_is_an_error():
    with pytest.raises(PubMedBadResponse, match="neither a Document Type Definition"):
        parse_efetch(b'<?xml version="1.0"?><PubmedArticleSet/>', request="efetch")


def test_an_empty_article_set_is_no_records():
    assert parse_efetch(EFETCH_HEAD + b"<PubmedArticleSet></PubmedArticleSet>", request="x") == []


def test_parsing_every_fixture_opens_no_socket(monkeypatch):
    """Biopython would download a missing DTD; with every socket refused, all fixtures still
    parse, so every DTD they need came from Biopython's own folder."""
    opened = []

    class NoSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            opened.append(args)
            raise NetworkBlocked("socket opened while parsing")

    monkeypatch.setattr(socket, "socket", NoSocket)
    names = [path.relative_to(FIXTURES) for path in FIXTURES.glob("efetch/*.xml")]
    names += [path.relative_to(FIXTURES) for path in FIXTURES.glob("altered/*.xml")]
    assert sum(len(read(str(name))) for name in names) == 7
    for path in FIXTURES.glob("esearch/esearch-NCT*.xml"):
        parse_esearch(path.read_bytes(), request=path.name)
    assert opened == []


def test_the_network_guard_itself_blocks_downloads():
    with pytest.raises((NetworkBlocked, OSError)):
        urllib.request.urlopen("https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd")
