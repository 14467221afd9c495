"""The legacy clinical_study XML parser, checked against real registry records read by hand."""

import functools
from pathlib import Path

import pytest

from trials.records import FORMAT_LEGACY_XML, Location, RecordError, Reference
from trials.sources.legacy_xml import nct_id_from_name, parse_clinical_study

FIXTURES = Path(__file__).parent / "fixtures" / "legacy-xml"
AACT = FIXTURES / "aact-fixtures"
BROKEN = FIXTURES / "broken"
EXTRACTS = FIXTURES / "bulk-2023-02-03"
SNAPSHOT_FOLDERS = [
    FIXTURES / "seed-trials" / "2018-05-29",
    FIXTURES / "seed-trials" / "2020-07-28",
    FIXTURES / "ssc-trials" / "2020-07-28",
    FIXTURES / "ssc-trials" / "2023-02-03",
]
SNAPSHOT_FILES = sorted(path for folder in SNAPSHOT_FOLDERS for path in folder.glob("*.xml"))
AACT_FAILURES = {
    "NCT00980226-id-mismatch.xml": "is an alias of NCT00081588",
    "NCT00980226.xml": "is an alias of NCT00081588",
    "covid_search.xml": "RSS search result",
    "empty_search.xml": "RSS search result",
}


@functools.cache
def parsed(relative: str):
    path = FIXTURES / relative
    return parse_clinical_study(
        path.read_bytes(), source=str(path), expected_nct_id=nct_id_from_name(path.name)
    )


def record(relative: str):
    return parsed(relative).record


def study(body: str, *, nct_id: str = "NCT01234567", header: str | None = None) -> str:
    """A minimal clinical_study document around `body`, for values no fixture has."""
    if header is None:
        header = (
            "<required_header><download_date>ClinicalTrials.gov processed this data on "
            "March 4, 2021</download_date></required_header>"
        )
    return f"<clinical_study>{header}<id_info><nct_id>{nct_id}</nct_id></id_info>{body}</clinical_study>"


def parse_text(body: str, **kwargs):
    return parse_clinical_study(study(body, **kwargs), source="synthetic.xml").record


@pytest.mark.parametrize("path", SNAPSHOT_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_seed_and_ssc_record_parses_with_its_snapshot_date(path):
    document = parse_clinical_study(path.read_bytes(), source=str(path), expected_nct_id=path.stem)
    assert document.record.nct_id == path.stem
    assert document.snapshot_date == path.parent.name
    assert document.source_format == FORMAT_LEGACY_XML
    assert document.record.brief_title
    assert document.record.overall_status in {
        "RECRUITING",
        "NOT_YET_RECRUITING",
        "ACTIVE_NOT_RECRUITING",
        "COMPLETED",
        "TERMINATED",
        "UNKNOWN",
        "WITHDRAWN",
    }
    assert document.record.first_posted and document.record.last_update_posted
    assert document.raw == path.read_text(encoding="utf-8")


def test_nct00962923_in_2020_field_by_field():
    document = parsed("seed-trials/2020-07-28/NCT00962923.xml")
    trial = document.record
    assert document.snapshot_date == "2020-07-28"
    assert trial.brief_title == (
        "Allogeneic Mesenchymal Stem Cells Transplantation for Systemic Sclerosis (SSc)"
    )
    assert trial.official_title == "" and trial.acronym == ""
    assert trial.overall_status == "UNKNOWN"
    assert trial.last_known_status == "RECRUITING"
    assert trial.phases == ["PHASE1", "PHASE2"]
    assert trial.study_type == "INTERVENTIONAL"
    assert (trial.allocation, trial.intervention_model) == ("NON_RANDOMIZED", "SINGLE_GROUP")
    assert (trial.primary_purpose, trial.masking, trial.who_masked) == ("TREATMENT", "NONE", [])
    assert (trial.enrollment, trial.enrollment_type) == (20, "ESTIMATED")
    assert (trial.start_date, trial.start_date_type) == ("2009-08", "")
    assert (trial.primary_completion_date, trial.primary_completion_date_type) == (
        "2010-12",
        "ESTIMATED",
    )
    assert (trial.completion_date, trial.completion_date_type) == ("2011-12", "ESTIMATED")
    assert trial.verification_date == "2009-08"
    assert (trial.first_posted, trial.last_update_posted) == ("2009-08-20", "2009-08-20")
    assert trial.conditions == ["Systemic Sclerosis", "Mesenchymal Stem Cells"]
    assert trial.keywords == ["Systemic sclerosis", "Mesenchymal Stem Cells", "Transplantation"]
    assert [(i.type, i.name) for i in trial.interventions] == [
        ("BIOLOGICAL", "Allogeneic Mesenchymal Stem Cells (AlloMSC)")
    ]
    assert trial.interventions[0].description.startswith(
        "Allogeneic mesenchymal stem cells will be"
    )
    assert trial.lead_sponsor == (
        "The Affiliated Nanjing Drum Tower Hospital of Nanjing University Medical School"
    )
    assert (trial.lead_sponsor_class, trial.collaborators) == ("OTHER", [])
    assert trial.locations == [
        Location(
            facility="the Affiliated Drum Tower Hospital of Nanjing University Medical School",
            city="Nanjing",
            state="Jiangsu",
            country="China",
            status="RECRUITING",
        )
    ]
    assert [(r.type, r.pmid) for r in trial.references] == [
        ("BACKGROUND", "19489103"),
        ("BACKGROUND", "19389752"),
        ("BACKGROUND", "19118507"),
        ("BACKGROUND", "17402368"),
    ]
    assert trial.references[3].citation.startswith("Sun LY, Zhang HY, Feng XB")
    assert (trial.results_posted, trial.results_first_posted) == (False, "")
    assert (trial.sex, trial.minimum_age, trial.maximum_age) == ("ALL", "15 Years", "65 Years")
    assert trial.healthy_volunteers is False
    assert (trial.secondary_ids, trial.nct_aliases) == ([], [])


def test_text_blocks_lose_the_xml_indentation_but_keep_their_lines():
    trial = record("seed-trials/2020-07-28/NCT00962923.xml")
    assert trial.brief_summary == (
        "This study will explore safety and efficacy of allogeneic mesenchymal stem cells\n"
        "transplantation (MSCT) to treat patients with diagnosis of systemic sclerosis(SSc) who have\n"
        "been resistant to multiple standard treatments. The underlying hypothesis is that the SSc\n"
        "condition is caused by an abnormal immune homeostasis that can be restored by MSCT."
    )
    lines = trial.eligibility_criteria.split("\n")
    assert lines[:4] == [
        "Inclusion Criteria:",
        "",
        "  -  All patients fulfilled the American College of Rheumatology (former American",
        "     Rheumatism Association - ARA) for SSc",
    ]
    assert "Rapidly progressive disease <2 years duration" in trial.eligibility_criteria
    assert lines[-2:] == [
        "  -  (4) HIV or HTLV1 seropositivity, malignancy, pregnancy, a cardiac or vascular",
        "     prosthesis, and no vascular access",
    ]
    assert all(line == line.rstrip() for line in lines)


def test_carriage_returns_written_as_character_references_become_newlines():
    trial = record("ssc-trials/2023-02-03/NCT00004563.xml")
    assert "\r" not in trial.eligibility_criteria and "\r" not in trial.brief_summary
    assert "neutrophilia of ≥3 percent, eosinophilia of ≥2 percent" in trial.eligibility_criteria
    assert trial.eligibility_criteria.startswith(
        "Inclusion Criteria:\n\n  1. Patients with limited or diffuse systemic scleroderma"
    )


def test_nct03211793_changes_between_2018_and_2020():
    before = record("seed-trials/2018-05-29/NCT03211793.xml")
    after = record("seed-trials/2020-07-28/NCT03211793.xml")
    assert (before.overall_status, after.overall_status) == ("RECRUITING", "NOT_YET_RECRUITING")
    assert (before.start_date, after.start_date) == ("2018-01", "2018-11")
    assert before.start_date_type == after.start_date_type == "ESTIMATED"
    assert (before.completion_date, after.completion_date) == ("2019-09-01", "2020-11-01")
    assert (before.primary_completion_date, after.primary_completion_date) == (
        "2019-09-01",
        "2020-11-01",
    )
    assert (before.verification_date, after.verification_date) == ("2017-10", "2018-06")
    assert (before.last_update_posted, after.last_update_posted) == ("2017-10-27", "2018-06-07")
    assert [site.status for site in before.locations] == ["RECRUITING"]
    assert [site.status for site in after.locations] == [""]
    assert before.brief_title == after.brief_title


def test_nct03211793_is_a_randomised_masked_trial():
    trial = record("seed-trials/2020-07-28/NCT03211793.xml")
    assert (trial.allocation, trial.intervention_model) == ("RANDOMIZED", "PARALLEL")
    assert trial.masking == "QUADRUPLE"
    assert trial.who_masked == ["PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR"]
    assert trial.acronym == "MANUS"
    assert trial.secondary_ids == ["2015-000168-32"]
    assert trial.collaborators == [
        "ZonMw: The Netherlands Organisation for Health Research and Development"
    ]
    assert [(i.type, i.name) for i in trial.interventions] == [
        ("DRUG", "Mesenchymal stromal cells"),
        ("OTHER", "Placebo"),
    ]
    assert (trial.enrollment, trial.enrollment_type) == (20, "ESTIMATED")
    assert (trial.minimum_age, trial.maximum_age) == ("18 Years", "")
    assert trial.locations == [
        Location(
            facility="Universitair Medisch Centrum Utrecht", city="Utrecht", country="Netherlands"
        )
    ]


def test_nct02213705_went_from_recruiting_to_unknown():
    before = record("seed-trials/2018-05-29/NCT02213705.xml")
    after = record("seed-trials/2020-07-28/NCT02213705.xml")
    assert (before.overall_status, before.last_known_status) == ("RECRUITING", "")
    assert (after.overall_status, after.last_known_status) == ("UNKNOWN", "RECRUITING")
    assert (before.allocation, after.allocation) == ("", "NA")


def test_trials_with_posted_results():
    lung = record("ssc-trials/2023-02-03/NCT00004563.xml")
    assert (lung.results_posted, lung.results_first_posted) == (True, "2015-03-06")
    assert lung.references == [
        Reference(
            pmid="16790698",
            citation=lung.references[0].citation,
            type="RESULT",
        )
    ]
    assert (
        "Cyclophosphamide versus placebo in scleroderma lung disease" in lung.references[0].citation
    )
    assert (lung.masking, lung.who_masked) == ("DOUBLE", ["PARTICIPANT", "INVESTIGATOR"])
    assert (lung.allocation, lung.primary_purpose) == ("RANDOMIZED", "PREVENTION")
    assert lung.collaborators == ["National Heart, Lung, and Blood Institute (NHLBI)"]
    assert lung.secondary_ids == ["U01HL060839"]
    assert (lung.enrollment, lung.enrollment_type) == (158, "ACTUAL")
    assert (lung.completion_date, lung.completion_date_type) == ("2013-05", "ACTUAL")

    fasudil = record("ssc-trials/2023-02-03/NCT00498615.xml")
    assert (fasudil.results_posted, fasudil.results_first_posted) == (True, "2014-11-04")
    assert fasudil.references == []
    assert (fasudil.intervention_model, fasudil.phases) == ("CROSSOVER", ["PHASE3"])
    assert [(site.city, site.country) for site in fasudil.locations] == [
        ("Baltimore", "United States")
    ]


def test_trials_without_clinical_results_have_no_results():
    for path in SNAPSHOT_FILES:
        relative = str(path.relative_to(FIXTURES))
        expected = path.stem in {"NCT00004563", "NCT00498615"}
        assert record(relative).results_posted is expected, relative
        assert bool(record(relative).results_first_posted) is expected, relative


@pytest.mark.parametrize("path", sorted(AACT.glob("*.xml")), ids=lambda p: p.name)
def test_every_aact_fixture_parses_or_is_refused_with_a_reason(path):
    expected = nct_id_from_name(path.name)
    if path.name in AACT_FAILURES:
        with pytest.raises(RecordError, match=AACT_FAILURES[path.name]):
            parse_clinical_study(path.read_bytes(), source=str(path), expected_nct_id=expected)
        return
    document = parse_clinical_study(path.read_bytes(), source=str(path), expected_nct_id=expected)
    if expected:
        assert document.record.nct_id == expected
    assert len(document.snapshot_date) == 10


@pytest.mark.parametrize("name", ["covid_search.xml", "empty_search.xml"])
def test_rss_search_results_are_named_as_such(name):
    with pytest.raises(RecordError) as caught:
        parse_clinical_study((AACT / name).read_bytes(), source=name)
    assert str(caught.value) == "this is an RSS search result, not a clinical_study record"


def test_file_named_for_an_alias_names_both_ids():
    path = AACT / "NCT00980226-id-mismatch.xml"
    with pytest.raises(RecordError) as caught:
        parse_clinical_study(path.read_bytes(), source=str(path), expected_nct_id="NCT00980226")
    assert str(caught.value) == (
        "file is named for NCT00980226 but holds NCT00081588 (NCT00980226 is an alias of NCT00081588)"
    )
    document = parse_clinical_study(path.read_bytes(), source=str(path))
    assert document.record.nct_id == "NCT00081588"
    assert document.record.nct_aliases == ["NCT00980226"]
    assert document.snapshot_date == "2017-10-20"


def test_expected_id_that_is_not_an_alias():
    raw = (AACT / "NCT00980226-id-mismatch.xml").read_bytes()
    with pytest.raises(RecordError) as caught:
        parse_clinical_study(raw, source="upload.xml", expected_nct_id="nct00000102")
    assert str(caught.value) == "expected NCT00000102 but holds NCT00081588"


def test_old_format_design_sentence_matches_the_new_format():
    old = parsed("aact-fixtures/NCT02028676_modified.xml")
    new = parsed("aact-fixtures/NCT02028676.xml")
    assert (old.snapshot_date, new.snapshot_date) == ("2016-12-06", "2018-05-11")
    for trial in (old.record, new.record):
        assert trial.allocation == "RANDOMIZED"
        assert trial.intervention_model == "FACTORIAL"
        assert trial.masking == "NONE" and trial.who_masked == []
        assert trial.primary_purpose == "TREATMENT"
        assert trial.phases == ["PHASE4"]
    assert old.record.collaborators == []
    assert new.record.collaborators == [
        "Department for International Development, United Kingdom",
        "ViiV Healthcare",
        "GlaxoSmithKline",
    ]
    assert [(site.city, site.status) for site in new.record.locations[:3]] == [
        ("Entebbe", ""),
        ("Kampala", ""),
        ("Mulago", ""),
    ]


def test_old_date_element_names_are_read():
    trial = record("aact-fixtures/NCT02028676_modified.xml")
    assert trial.first_posted == "2013-12-31"
    assert trial.last_update_posted == "2014-06-04"
    assert (trial.results_posted, trial.results_first_posted) == (True, "2014-01-15")


def test_old_double_blind_sentence_with_subject():
    trial = parse_text(
        "<study_design>Allocation: Randomized, Endpoint Classification: Safety/Efficacy Study, "
        "Intervention Model: Parallel Assignment, Masking: Double Blind (Subject, Investigator), "
        "Primary Purpose: Treatment</study_design>"
    )
    assert (trial.allocation, trial.intervention_model) == ("RANDOMIZED", "PARALLEL")
    assert (trial.masking, trial.who_masked) == ("DOUBLE", ["PARTICIPANT", "INVESTIGATOR"])
    assert trial.primary_purpose == "TREATMENT"


def test_old_observational_record():
    document = parsed("aact-fixtures/NCT00513591_redownloaded.xml")
    trial = document.record
    assert document.snapshot_date == "2016-06-29"
    assert (trial.study_type, trial.phases) == ("OBSERVATIONAL", ["NA"])
    assert (trial.allocation, trial.masking, trial.intervention_model) == ("", "", "")
    assert (trial.start_date, trial.start_date_type) == ("2007-08", "")
    assert (trial.primary_completion_date, trial.primary_completion_date_type) == (
        "2017-12",
        "ESTIMATED",
    )
    assert (trial.completion_date, trial.completion_date_type) == ("", "")
    assert (trial.sex, trial.minimum_age, trial.maximum_age) == ("FEMALE", "18 Years", "")
    assert trial.healthy_volunteers is True
    assert (trial.first_posted, trial.last_update_posted) == ("2007-08-06", "2016-06-14")
    assert trial.acronym == "DAP Registry"


def test_altered_copy_differs_only_where_it_was_altered():
    original = record("aact-fixtures/NCT00513591_redownloaded.xml").to_dict()
    altered = record("aact-fixtures/NCT00513591_mod.xml").to_dict()
    changed = {
        key: (original[key], altered[key]) for key in original if original[key] != altered[key]
    }
    assert changed == {
        "official_title": ("Duke Autoimmunity in Pregnancy Registry", "This Is An Updated Title"),
        "last_update_posted": ("2016-06-14", "2016-06-15"),
    }


def test_same_content_in_two_export_formats_gives_the_same_record():
    new_format = parsed("aact-fixtures/raw_study.xml")
    old_format = parsed("aact-fixtures/example_study.xml")
    assert (new_format.snapshot_date, old_format.snapshot_date) == ("2017-01-18", "2016-05-11")
    assert old_format.record.sex == new_format.record.sex == "ALL"
    assert old_format.record.primary_purpose == "TREATMENT"
    assert old_format.record.references == [
        Reference(pmid="8368765", citation=old_format.record.references[0].citation, type="RESULT")
    ]
    assert new_format.record.content_hash() == old_format.record.content_hash()
    changed = record("aact-fixtures/raw_study_changed.xml")
    assert changed.official_title == "Testing File For Import Differences"
    assert changed.content_hash() != old_format.record.content_hash()


def test_withheld_record_with_little_in_it():
    trial = record("aact-fixtures/NCT03182660.xml")
    assert (trial.overall_status, trial.study_type) == ("WITHHELD", "NA")
    assert (trial.lead_sponsor, trial.lead_sponsor_class) == ("[Redacted]", "")
    assert (trial.phases, trial.enrollment, trial.healthy_volunteers) == ([], None, None)
    assert (trial.first_posted, trial.last_update_posted) == ("2017-06-09", "2017-06-22")


@pytest.mark.parametrize(
    "relative, expected",
    [
        (
            "NCT0000xxxx/NCT00000196.xml",
            {
                "overall_status": "WITHDRAWN",
                "masking": "DOUBLE",
                "who_masked": [],
                "enrollment": 0,
                "enrollment_type": "ACTUAL",
            },
        ),
        (
            "NCT0000xxxx/NCT00000314.xml",
            {
                "lead_sponsor_class": "NIH",
                "collaborators": ["VA Office of Research and Development"],
                "sex": "MALE",
                "enrollment_type": "",
                "minimum_age": "25 Years",
            },
        ),
        (
            "NCT0000xxxx/NCT00004760.xml",
            {
                "primary_purpose": "ECT",
                "phases": ["NA"],
                "completion_date": "1997-12",
                "completion_date_type": "",
            },
        ),
        (
            "NCT0049xxxx/NCT00493532.xml",
            {
                "study_type": "EXPANDED_ACCESS",
                "overall_status": "NO_LONGER_AVAILABLE",
                "lead_sponsor_class": "INDUSTRY",
            },
        ),
        ("NCT0049xxxx/NCT00499941.xml", {"study_type": "OBSERVATIONAL"}),
    ],
)
def test_values_seen_in_the_2023_bulk_export(relative, expected):
    document = parsed(f"bulk-2023-02-03/{relative}")
    assert document.snapshot_date == "2023-02-03"
    values = document.record.to_dict()
    assert {key: values[key] for key in expected} == expected


@pytest.mark.parametrize(
    "name, reason",
    [
        ("broken-empty.xml", "empty document"),
        ("broken-truncated.xml", "not well-formed XML at line 89, column 26: the document ends"),
        ("broken-bad-date.xml", "<start_date> is not a date: 'Agust 2009'"),
        ("broken-no-nct-id.xml", "no <nct_id> in <id_info>"),
        ("broken-bad-nct-id.xml", "<nct_id> 'NCT0096292' is not an NCT number"),
        ("broken-no-download-date.xml", "no <download_date> in <required_header>"),
        ("broken-unreadable-download-date.xml", "<download_date> does not give a day"),
        ("broken-utf16.xml", "not UTF-8 text: it contains NUL bytes"),
        ("broken-gbk-encoded.xml", "not UTF-8 text: byte 0xa8 at offset 739"),
        ("broken-entity-expansion.xml", "refused: the document declares XML entities"),
    ],
)
def test_broken_copies_are_refused_with_the_reason(name, reason):
    with pytest.raises(RecordError) as caught:
        parse_clinical_study((BROKEN / name).read_bytes(), source=name)
    assert str(caught.value).startswith(reason)


def test_malformed_xml_gives_line_and_column():
    with pytest.raises(RecordError) as caught:
        parse_clinical_study("<clinical_study>\n  <id_info></clinical_study>", source="x.xml")
    assert str(caught.value) == "not well-formed XML at line 2, column 14: mismatched tag"


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"", "empty document"),
        ("  \n\t", "empty document"),
        ("<html><body>Not found</body></html>", "root element is <html>, not <clinical_study>"),
        (
            study("<enrollment>about 20</enrollment>"),
            "<enrollment> is not a whole number: 'about 20'",
        ),
        (study("<verification_date>soon</verification_date>"), "<verification_date> is not a date"),
        (study("", header=""), "no <download_date>"),
        (
            "<clinical_study><id_info><nct_id>NCT01234567</nct_id></id_info></clinical_study>\x00",
            "not UTF-8 text",
        ),
    ],
)
def test_other_unusable_documents(raw, reason):
    with pytest.raises(RecordError, match=reason):
        parse_clinical_study(raw, source="synthetic.xml")


def test_str_bytes_bom_and_line_endings_give_the_same_record():
    raw = (AACT / "raw_study.xml").read_bytes()
    assert b"\r\n" in raw
    from_bytes = parse_clinical_study(raw, source="a.xml")
    from_lf = parse_clinical_study(raw.replace(b"\r\n", b"\n"), source="b.xml")
    from_str = parse_clinical_study(raw.decode("utf-8"), source="c.xml")
    with_bom = parse_clinical_study(b"\xef\xbb\xbf" + raw, source="d.xml")
    hashes = {doc.record.content_hash() for doc in (from_bytes, from_lf, from_str, with_bom)}
    assert len(hashes) == 1
    assert "\r" not in from_bytes.record.eligibility_criteria
    assert from_bytes.raw == raw.decode("utf-8")


def test_content_hash_follows_content_not_snapshot():
    again = parse_clinical_study(
        (FIXTURES / "seed-trials/2020-07-28/NCT03211793.xml").read_bytes(), source="again.xml"
    )
    first = record("seed-trials/2020-07-28/NCT03211793.xml")
    assert again.record.content_hash() == first.content_hash()
    assert record("seed-trials/2018-05-29/NCT03211793.xml").content_hash() != first.content_hash()
    unchanged_2018 = parsed("seed-trials/2018-05-29/NCT00962923.xml")
    unchanged_2020 = parsed("seed-trials/2020-07-28/NCT00962923.xml")
    assert unchanged_2018.snapshot_date != unchanged_2020.snapshot_date
    assert unchanged_2018.record.content_hash() == unchanged_2020.record.content_hash()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Not yet recruiting", "NOT_YET_RECRUITING"),
        ("Recruiting", "RECRUITING"),
        ("Enrolling by invitation", "ENROLLING_BY_INVITATION"),
        ("Active, not recruiting", "ACTIVE_NOT_RECRUITING"),
        ("Suspended", "SUSPENDED"),
        ("Terminated", "TERMINATED"),
        ("Completed", "COMPLETED"),
        ("Withdrawn", "WITHDRAWN"),
        ("Unknown status", "UNKNOWN"),
        ("Available", "AVAILABLE"),
        ("No longer available", "NO_LONGER_AVAILABLE"),
        ("Temporarily not available", "TEMPORARILY_NOT_AVAILABLE"),
        ("Approved for marketing", "APPROVED_FOR_MARKETING"),
        ("Withheld", "WITHHELD"),
    ],
)
def test_statuses(text, expected):
    trial = parse_text(
        f"<overall_status>{text}</overall_status><last_known_status>{text}</last_known_status>"
        f"<location><facility><name>Site</name></facility><status>{text}</status></location>"
    )
    assert trial.overall_status == trial.last_known_status == trial.locations[0].status == expected


@pytest.mark.parametrize(
    "body, expected",
    [
        ("<phase>Phase 1/Phase 2</phase>", ["PHASE1", "PHASE2"]),
        ("<phase>Phase 2/Phase 3</phase>", ["PHASE2", "PHASE3"]),
        ("<phase>Phase 4</phase>", ["PHASE4"]),
        ("<phase>N/A</phase>", ["NA"]),
        ("<phase>Early Phase 1</phase>", ["EARLY_PHASE1"]),
        ("", []),
    ],
)
def test_phases(body, expected):
    assert parse_text(body).phases == expected


@pytest.mark.parametrize(
    "masking, level, who",
    [
        ("None (Open Label)", "NONE", []),
        ("Single (Outcomes Assessor)", "SINGLE", ["OUTCOMES_ASSESSOR"]),
        ("Double", "DOUBLE", []),
        (
            "Triple (Participant, Care Provider, Investigator)",
            "TRIPLE",
            ["PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR"],
        ),
        (
            "Quadruple (Participant, Care Provider, Investigator, Outcomes Assessor)",
            "QUADRUPLE",
            ["PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR"],
        ),
    ],
)
def test_masking(masking, level, who):
    trial = parse_text(f"<study_design_info><masking>{masking}</masking></study_design_info>")
    assert (trial.masking, trial.who_masked) == (level, who)


@pytest.mark.parametrize(
    "tag, text, field, expected",
    [
        ("study_type", "Interventional", "study_type", "INTERVENTIONAL"),
        ("study_type", "Observational [Patient Registry]", "study_type", "OBSERVATIONAL"),
        ("study_type", "Expanded Access", "study_type", "EXPANDED_ACCESS"),
        ("study_design_info/allocation", "Non-Randomized", "allocation", "NON_RANDOMIZED"),
        ("study_design_info/allocation", "N/A", "allocation", "NA"),
        (
            "study_design_info/intervention_model",
            "Single Group Assignment",
            "intervention_model",
            "SINGLE_GROUP",
        ),
        (
            "study_design_info/intervention_model",
            "Sequential Assignment",
            "intervention_model",
            "SEQUENTIAL",
        ),
        (
            "study_design_info/primary_purpose",
            "Supportive Care",
            "primary_purpose",
            "SUPPORTIVE_CARE",
        ),
        (
            "study_design_info/primary_purpose",
            "Health Services Research",
            "primary_purpose",
            "HEALTH_SERVICES_RESEARCH",
        ),
        (
            "study_design_info/primary_purpose",
            "Device Feasibility",
            "primary_purpose",
            "DEVICE_FEASIBILITY",
        ),
        ("study_design_info/primary_purpose", "Basic Science", "primary_purpose", "BASIC_SCIENCE"),
        ("sponsors/lead_sponsor/agency_class", "U.S. Fed", "lead_sponsor_class", "FED"),
        ("sponsors/lead_sponsor/agency_class", "Industry", "lead_sponsor_class", "INDUSTRY"),
        ("eligibility/gender", "Both", "sex", "ALL"),
        ("eligibility/gender", "Female", "sex", "FEMALE"),
    ],
)
def test_enumerations(tag, text, field, expected):
    opening = "".join(f"<{part}>" for part in tag.split("/"))
    closing = "".join(f"</{part}>" for part in reversed(tag.split("/")))
    assert getattr(parse_text(f"{opening}{text}{closing}"), field) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Biological", "BIOLOGICAL"),
        ("Drug", "DRUG"),
        ("Device", "DEVICE"),
        ("Procedure", "PROCEDURE"),
        ("Radiation", "RADIATION"),
        ("Behavioral", "BEHAVIORAL"),
        ("Genetic", "GENETIC"),
        ("Dietary Supplement", "DIETARY_SUPPLEMENT"),
        ("Combination Product", "COMBINATION_PRODUCT"),
        ("Diagnostic Test", "DIAGNOSTIC_TEST"),
        ("Other", "OTHER"),
    ],
)
def test_intervention_types(text, expected):
    trial = parse_text(
        f"<intervention><intervention_type>{text}</intervention_type>"
        "<intervention_name>X</intervention_name></intervention>"
    )
    assert trial.interventions[0].type == expected


@pytest.mark.parametrize(
    "attribute, expected",
    [
        (' type="Anticipated"', "ESTIMATED"),
        (' type="Estimate"', "ESTIMATED"),
        (' type="Actual"', "ACTUAL"),
        ("", ""),
    ],
)
def test_date_and_enrollment_types(attribute, expected):
    trial = parse_text(
        f"<start_date{attribute}>May 3, 2021</start_date><enrollment{attribute}>12</enrollment>"
    )
    assert (trial.start_date, trial.start_date_type) == ("2021-05-03", expected)
    assert (trial.enrollment, trial.enrollment_type) == (12, expected)


def test_unknown_enumeration_text_is_kept_not_dropped():
    trial = parse_text(
        "<overall_status>Paused for review</overall_status><phase>Phase 5</phase>"
        "<study_design_info><masking>Sextuple (Participant, Statistician)</masking>"
        "<primary_purpose>Quality of Life</primary_purpose></study_design_info>"
        "<intervention><intervention_type>Cell Therapy</intervention_type></intervention>"
        "<eligibility><healthy_volunteers>Maybe</healthy_volunteers></eligibility>"
    )
    assert trial.overall_status == "PAUSED_FOR_REVIEW"
    assert trial.phases == ["PHASE_5"]
    assert (trial.masking, trial.who_masked) == ("SEXTUPLE", ["PARTICIPANT", "STATISTICIAN"])
    assert trial.primary_purpose == "QUALITY_OF_LIFE"
    assert trial.interventions[0].type == "CELL_THERAPY"
    assert trial.healthy_volunteers is None


def test_single_line_text_is_collapsed():
    trial = parse_text(
        "<brief_title>\n  Stem   cells\n  for SSc\t</brief_title>"
        "<condition> Systemic\n Sclerosis </condition><keyword>  </keyword>"
        "<eligibility><healthy_volunteers>Yes</healthy_volunteers></eligibility>"
    )
    assert trial.brief_title == "Stem cells for SSc"
    assert trial.conditions == ["Systemic Sclerosis"]
    assert trial.keywords == []
    assert trial.healthy_volunteers is True


@pytest.mark.parametrize(
    "name, expected",
    [
        ("NCT00513591_mod.xml", "NCT00513591"),
        ("NCT00980226-id-mismatch.xml", "NCT00980226"),
        ("NCT0000xxxx/NCT00000102.xml", "NCT00000102"),
        ("/data/2020/nct03211793.xml", "NCT03211793"),
        ("covid_search.xml", None),
        ("raw_study.xml", None),
        ("NCT123456789.xml", None),
        ("old-NCT00513591.xml", None),
    ],
)
def test_nct_id_from_name(name, expected):
    assert nct_id_from_name(name) == expected
