"""The API v2 JSON parser: real registry records, and one model shared with the legacy XML parser.

No trial in the shared data exists in both formats (every NCT ID in `api-v2/` was looked for in
all of `legacy-xml/`, including the 6,786-record bulk archive: none matched), so the two parsers
are compared value by value instead: every enumeration value the OpenAPI description defines
is written into a minimal document of each format and both parsers must produce the same
record; and every real record of either format must fit the same shape.
"""

import copy
import functools
import gzip
import json
import re
from pathlib import Path

import pytest

from trials.records import FORMAT_API_V2, Location, RecordError, Reference, TrialRecord
from trials.sources.api_v2 import parse_study
from trials.sources.legacy_xml import (
    AGENCY_CLASSES,
    ALLOCATIONS,
    DATE_TYPES,
    INTERVENTION_MODELS,
    INTERVENTION_TYPES,
    MASKINGS,
    PHASES,
    PRIMARY_PURPOSES,
    SEXES,
    STATUSES,
    STUDY_TYPES,
    WHO_MASKED,
    nct_id_from_name,
    parse_clinical_study,
)

FIXTURES = Path(__file__).parent / "fixtures"
STUDIES = FIXTURES / "api-v2" / "studies"
RECORDED = FIXTURES / "api-v2" / "recorded"
SPEC = FIXTURES / "api-v2" / "openapi" / "ctg-oas-v2_2.0.5.yaml"
XML_FOLDERS = [
    FIXTURES / "legacy-xml" / "seed-trials" / "2018-05-29",
    FIXTURES / "legacy-xml" / "seed-trials" / "2020-07-28",
    FIXTURES / "legacy-xml" / "ssc-trials" / "2020-07-28",
    FIXTURES / "legacy-xml" / "ssc-trials" / "2023-02-03",
]
STUDY_FILES = sorted(STUDIES.glob("*.json*"))
SNAPSHOT = "2026-08-11"

# What each real file gives: its registry day (derivedSection.miscInfoModule.versionHolder) or
# why it is refused when read under the name it was saved with.
STUDY_OUTCOMES = {
    "NCT00465816.json": RecordError("no snapshot date"),
    "NCT00763412.json": "2024-01-03",
    "NCT00973089.json": "2024-01-22",
    "NCT02210780.json": "2023-11-15",
    "NCT02278341.json": RecordError("^file is named for NCT02278341 but holds NCT02552212$"),
    "NCT02513394.json.gz": "2023-10-06",
    "NCT02552212.json": "2023-12-12",
    "NCT03418623.json": "2023-12-07",
    "NCT03453554.json": RecordError("no snapshot date"),
    "NCT03475563.json": "2024-01-03",
    "NCT03630471.json": "2023-11-06",
    "NCT04207047.json": "2023-11-28",
    "NCT05594173.json": "2024-06-10",
    "NCT06171568.json": "2023-12-14",
    "study_data_initialize.json": RecordError(
        r"^nctId 'NCT000001' is not an NCT number \(NCT and eight digits\)$"
    ),
}


def read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


@functools.cache
def parsed(name: str, snapshot_date: str = ""):
    path = STUDIES / name
    return parse_study(read_bytes(path), source=str(path), snapshot_date=snapshot_date)


def record(name: str) -> TrialRecord:
    return parsed(name).record


def load(name: str) -> dict:
    return json.loads(read_bytes(STUDIES / name))


def v2(protocol: dict, nct_id: str = "NCT01234567", **top) -> TrialRecord:
    """A minimal API v2 study around `protocol` modules, for values no fixture has."""
    protocol = {"identificationModule": {"nctId": nct_id}, **protocol}
    study = {"protocolSection": protocol, **top}
    return parse_study(study, source="synthetic.json", snapshot_date=SNAPSHOT).record


def xml(body: str, nct_id: str = "NCT01234567") -> TrialRecord:
    document = (
        "<clinical_study><required_header><download_date>ClinicalTrials.gov processed this "
        f"data on August 11, 2026</download_date></required_header><id_info><nct_id>{nct_id}"
        f"</nct_id></id_info>{body}</clinical_study>"
    )
    return parse_clinical_study(document, source="synthetic.xml").record


# --- every real file -------------------------------------------------------------------------


def test_the_fixture_table_covers_every_file():
    assert sorted(STUDY_OUTCOMES) == [path.name for path in STUDY_FILES]


@pytest.mark.parametrize("path", STUDY_FILES, ids=lambda p: p.name)
def test_every_study_file_parses_or_is_refused_with_a_reason(path):
    expected = STUDY_OUTCOMES[path.name]
    claimed = nct_id_from_name(path.name)
    if isinstance(expected, RecordError):
        with pytest.raises(RecordError, match=str(expected)):
            parse_study(read_bytes(path), source=str(path), expected_nct_id=claimed)
        return
    document = parse_study(read_bytes(path), source=str(path), expected_nct_id=claimed)
    assert document.record.nct_id == claimed
    assert document.snapshot_date == expected
    assert document.source_format == FORMAT_API_V2
    assert document.record.brief_title
    assert document.record.overall_status
    assert document.raw == read_bytes(path).decode("utf-8")


@pytest.mark.parametrize("name", ["NCT00465816.json", "NCT03453554.json"])
def test_trimmed_records_without_a_registry_date_parse_when_the_caller_gives_one(name):
    document = parsed(name, SNAPSHOT)
    assert document.snapshot_date == SNAPSHOT
    assert document.record.nct_id == name[:11]
    assert document.record.brief_title.endswith("...")


def test_trimmed_nct00465816_keeps_its_references():
    trial = parsed("NCT00465816.json", SNAPSHOT).record
    assert trial.references == [
        Reference(pmid="22107850", citation="Ostergaard L, Silfverdal SA...", type="BACKGROUND"),
        Reference(pmid="", citation="Ostergaard L et al...", type="BACKGROUND"),
    ]
    assert trial.results_posted is True
    assert trial.overall_status == "" and trial.locations == []


def test_study_data_initialize_is_aacts_template_with_a_placeholder_id():
    """AACT's `study_data_initialize.json` is built from NCT00763412's record, with values added
    so that every module is filled, under the ID `NCT000001`: refused for its ID. With a real
    ID put in (in memory only), it shows values no real fixture has."""
    study = load("study_data_initialize.json")
    study["protocolSection"]["identificationModule"]["nctId"] = "NCT00763412"
    document = parse_study(study, source="study_data_initialize.json")
    trial = document.record
    assert document.snapshot_date == "2023-11-28"
    assert (trial.overall_status, trial.last_known_status) == ("COMPLETED", "ACTIVE_NOT_RECRUITING")
    assert trial.why_stopped == (
        "Terminated early due to sufficient data acquired to meet our study objectives"
    )
    assert (trial.study_type, trial.phases) == ("EXPANDED_ACCESS", ["PHASE1"])
    assert (trial.start_date, trial.start_date_type) == ("2006-11", "ESTIMATED")
    assert trial.acronym == "STPDCF"
    assert trial.secondary_ids == ["P60DK020579"]
    assert trial.eligibility_criteria == record("NCT00763412.json").eligibility_criteria


# --- real records field by field ----------------------------------------------------------------


def test_nct00973089_field_by_field():
    trial = record("NCT00973089.json")
    assert trial.brief_title == (
        "Alternative Treatment of Deep Carious Lesions Based on Biological Evidences"
    )
    assert trial.official_title == trial.brief_title and trial.acronym == ""
    assert (trial.overall_status, trial.last_known_status) == ("WITHDRAWN", "")
    assert trial.why_stopped == (
        "recruiting or enrolling participants has halted prematurely and will not resume"
    )
    assert (trial.study_type, trial.phases) == ("INTERVENTIONAL", ["NA"])
    assert (trial.allocation, trial.intervention_model) == ("RANDOMIZED", "PARALLEL")
    assert (trial.primary_purpose, trial.masking, trial.who_masked) == (
        "TREATMENT",
        "SINGLE",
        ["INVESTIGATOR"],
    )
    assert (trial.enrollment, trial.enrollment_type) == (0, "ACTUAL")
    assert (trial.start_date, trial.start_date_type) == ("2010-05", "")
    assert (trial.primary_completion_date, trial.primary_completion_date_type) == (
        "2015-03",
        "ACTUAL",
    )
    assert (trial.completion_date, trial.completion_date_type) == ("2015-03", "ACTUAL")
    assert trial.verification_date == "2015-08"
    assert (trial.first_posted, trial.last_update_posted) == ("2009-09-09", "2015-08-19")
    assert (trial.results_posted, trial.results_first_posted) == (False, "")
    assert trial.conditions == ["Caries, Dental"]
    assert trial.keywords == ["Primary tooth", "Caries, Dental", "Alternative treatment"]
    assert [(i.type, i.name) for i in trial.interventions] == [
        ("OTHER", "Incomplete caries removal in primary teeth")
    ]
    assert (trial.lead_sponsor, trial.lead_sponsor_class) == (
        "Hadassah Medical Organization",
        "OTHER",
    )
    assert trial.collaborators == []
    assert trial.locations == [
        Location(facility="Hadassah Medical Organization", city="Jerusalem", country="Israel")
    ]
    assert [(r.pmid, r.type) for r in trial.references] == [("18519994", "BACKGROUND")]
    assert (trial.sex, trial.minimum_age, trial.maximum_age) == ("ALL", "5 Years", "8 Years")
    assert trial.healthy_volunteers is True
    assert trial.eligibility_criteria.split("\n")[:3] == [
        "Inclusion Criteria:",
        "",
        "* Healthy children",
    ]
    assert (trial.secondary_ids, trial.nct_aliases) == ([], [])


def test_nct03475563_unknown_status_patient_registry():
    trial = record("NCT03475563.json")
    assert (trial.overall_status, trial.last_known_status) == ("UNKNOWN", "RECRUITING")
    assert (trial.study_type, trial.phases) == ("OBSERVATIONAL", [])
    assert (trial.allocation, trial.masking, trial.who_masked) == ("", "", [])
    assert (trial.enrollment, trial.enrollment_type) == (100, "ESTIMATED")
    assert (trial.start_date, trial.start_date_type) == ("2018-08-16", "ACTUAL")
    assert (trial.completion_date, trial.completion_date_type) == ("2019-12-30", "ESTIMATED")
    assert trial.acronym == "BIOSS"
    assert trial.locations[:2] == [
        Location(
            "Hospital Universitari Parc Taulí", "Sabadell", "Barcelona", "Spain", "RECRUITING"
        ),
        Location("Hospital Universitari Vall d'Hebron", "Barcelona", "", "Spain", "RECRUITING"),
    ]
    assert {r.type for r in trial.references} == {"RESULT"}
    assert (trial.minimum_age, trial.maximum_age) == ("18 Years", "")


def test_nct02552212_results_derived_references_and_nested_bullets():
    trial = record("NCT02552212.json")
    assert trial.acronym == "C-AXSPAND"
    assert trial.secondary_ids == ["2015-001894-41"]
    assert (trial.lead_sponsor, trial.lead_sponsor_class) == ("UCB BIOSCIENCES GmbH", "INDUSTRY")
    assert (trial.results_posted, trial.results_first_posted) == (True, "2020-08-17")
    assert [r.type for r in trial.references] == ["RESULT", "RESULT", "DERIVED", "DERIVED"]
    assert trial.references[0].pmid == "35296532"
    assert len(trial.locations) == 105
    assert trial.interventions[0].description == (
        "* Active Substance: Certolizumab Pegol * Pharmaceutical Form: Prefilled syringe "
        "* Concentration: 200 mg / ml * Route of Administration: Subcutaneous injection"
    )
    lines = trial.eligibility_criteria.split("\n")
    assert "* Active disease at Screening as defined by" in lines
    assert "  * Bath Ankylosing Spondylitis Disease Activity Index (BASDAI) score >= 4" in lines


def test_nct02513394_a_full_record_with_437_sites():
    trial = record("NCT02513394.json.gz")
    assert trial.acronym == "PALLAS"
    assert trial.overall_status == "ACTIVE_NOT_RECRUITING"
    assert (trial.masking, trial.who_masked) == ("NONE", [])
    assert (trial.enrollment, trial.enrollment_type) == (5796, "ACTUAL")
    assert (trial.start_date, trial.start_date_type) == ("2015-08", "")
    assert (trial.completion_date, trial.completion_date_type) == ("2025-09", "ESTIMATED")
    assert trial.secondary_ids == ["ABCSG 42", "BIG 14-03", "2014-005181-30"]
    assert len(trial.locations) == 437
    assert "Age ≥18 years (or per national guidelines)." in trial.eligibility_criteria


def test_markdown_escapes_are_undone_in_text_blocks_only():
    criteria = record("NCT00763412.json").eligibility_criteria
    assert "fasting blood glucose <126 mg/dl and 2 hour: 140 - 199 mg/dl or >200 mg/dl." in (
        criteria
    )
    assert (
        "[Eichenfeld 2004])that has been present" in record("NCT02210780.json").eligibility_criteria
    )
    for path in STUDY_FILES:
        if not isinstance(STUDY_OUTCOMES[path.name], RecordError):
            trial = record(path.name)
            assert not re.search(r"\\[<>\[\]&*_]", trial.eligibility_criteria + trial.brief_summary)
    assert v2({"descriptionModule": {"briefSummary": r"a \\ b \d"}}).brief_summary == r"a \ b \d"
    title = v2({"identificationModule": {"nctId": "NCT01234567", "briefTitle": r"A \< B"}})
    assert title.brief_title == r"A \< B"


def test_the_misnamed_file_is_the_same_record_as_nct02552212_on_another_day():
    """`NCT02278341.json` holds NCT02552212 downloaded on 2024-01-03; `NCT02552212.json` was
    downloaded on 2023-12-12. Only derived data differs, so keyed by content they are one
    version of one trial."""
    misnamed = parse_study(read_bytes(STUDIES / "NCT02278341.json"), source="NCT02278341.json")
    proper = parsed("NCT02552212.json")
    assert misnamed.record.nct_id == "NCT02552212"
    assert (misnamed.snapshot_date, proper.snapshot_date) == ("2024-01-03", "2023-12-12")
    assert misnamed.raw != proper.raw
    assert misnamed.record.content_hash() == proper.record.content_hash()


def test_expected_id_messages_name_both_ids():
    raw = read_bytes(STUDIES / "NCT02278341.json")
    with pytest.raises(RecordError) as caught:
        parse_study(raw, source="GET /studies/NCT02278341", expected_nct_id="nct02278341")
    assert str(caught.value) == "expected NCT02278341 but holds NCT02552212"
    study = load("NCT02552212.json")
    study["protocolSection"]["identificationModule"]["nctIdAliases"] = ["NCT02278341"]
    with pytest.raises(RecordError) as caught:
        parse_study(study, source="NCT02278341.json", expected_nct_id="NCT02278341")
    assert str(caught.value) == (
        "file is named for NCT02278341 but holds NCT02552212 (NCT02278341 is an alias of NCT02552212)"
    )


def test_bytes_text_and_dict_give_the_same_record():
    raw = read_bytes(STUDIES / "NCT03630471.json")
    from_bytes = parse_study(raw, source="a")
    from_text = parse_study(raw.decode("utf-8"), source="b")
    from_bom = parse_study(b"\xef\xbb\xbf" + raw, source="c")
    from_dict = parse_study(json.loads(raw), source="d")
    hashes = {d.record.content_hash() for d in (from_bytes, from_text, from_bom, from_dict)}
    assert len(hashes) == 1
    assert json.loads(from_dict.raw) == json.loads(raw)


def test_studies_from_a_recorded_search_page_parse_one_by_one():
    page = json.loads((RECORDED / "search_phelan_limit5_20260811.json").read_bytes())
    trials = [
        parse_study(study, source=f"page:{index}", snapshot_date=SNAPSHOT).record
        for index, study in enumerate(page["studies"])
    ]
    assert [t.nct_id for t in trials] == [
        "NCT02710084",
        "NCT05105685",
        "NCT01525901",
        "NCT03493607",
        "NCT07119606",
    ]
    first = trials[0]
    assert first.overall_status == "COMPLETED" and first.phases == ["PHASE2"]
    assert (first.start_date, first.completion_date) == ("2016-04-29", "2020-07-29")
    assert (first.enrollment, first.enrollment_type) == (18, "")
    with pytest.raises(RecordError, match="page of search results"):
        parse_study((RECORDED / "search_phelan_limit5_20260811.json").read_bytes(), source="p")


# --- the registry's date ---------------------------------------------------------------------


def test_the_callers_snapshot_date_wins_then_the_data_timestamp_then_the_document():
    raw = read_bytes(STUDIES / "NCT06171568.json")
    assert parse_study(raw, source="x").snapshot_date == "2023-12-14"
    stamped = parse_study(raw, source="x", data_timestamp="2026-08-11T09:00:05")
    assert (stamped.snapshot_date, stamped.data_timestamp) == ("2026-08-11", "2026-08-11T09:00:05")
    both = parse_study(raw, source="x", snapshot_date="2026-08-10", data_timestamp="2026-08-11")
    assert both.snapshot_date == "2026-08-10"


@pytest.mark.parametrize(
    "kwargs, reason",
    [
        ({"snapshot_date": "2026-08"}, r"snapshot_date '2026-08' is not a day \(YYYY-MM-DD\)"),
        ({"snapshot_date": "2026-02-30"}, "snapshot_date '2026-02-30' is not a day"),
        ({"data_timestamp": "yesterday"}, "data_timestamp 'yesterday' is not a registry timestamp"),
    ],
)
def test_unusable_dates_from_the_caller_are_refused(kwargs, reason):
    with pytest.raises(RecordError, match=reason):
        parse_study(read_bytes(STUDIES / "NCT06171568.json"), source="x", **kwargs)


def test_no_date_anywhere_is_refused():
    with pytest.raises(RecordError) as caught:
        parse_study(
            {"protocolSection": {"identificationModule": {"nctId": "NCT01234567"}}}, source="x"
        )
    assert "pass the day of the registry's dataTimestamp" in str(caught.value)


# --- bad input -------------------------------------------------------------------------------


def test_truncated_json_says_it_was_cut_short_wherever_it_was_cut():
    raw = read_bytes(STUDIES / "NCT03475563.json")
    cuts = [*range(1, len(raw) - 1, 97), raw.index("Taulí".encode()) + 4]
    for cut in cuts:
        with pytest.raises(RecordError, match=r"\(cut short\?\)$") as caught:
            parse_study(raw[:cut], source="x", snapshot_date=SNAPSHOT)
        assert re.fullmatch(
            r"not valid JSON at line \d+, column \d+: the document ends before its JSON is "
            r"complete \(cut short\?\)|not UTF-8 text: the document ends inside a character "
            r"\(cut short\?\)",
            str(caught.value),
        ), cut


def broken(path: str, value):
    """NCT00973089 with the value at a dotted path replaced (or removed, for ...)."""
    study = copy.deepcopy(load("NCT00973089.json"))
    *parents, last = path.split(".")
    target = study
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return study


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"", "^empty document$"),
        (b"  \n", "^empty document$"),
        (b"<clinical_study/>", r"^not valid JSON at line 1, column 1: Expecting value$"),
        (b'{"protocolSection": {} "x": 1}', "^not valid JSON at line 1, column 24: Expecting"),
        ("{}".encode("utf-16"), "^not UTF-8 text: it contains NUL bytes"),
        (b'{"a": "caf\xe9"}', "^not UTF-8 text: byte 0xe9 at offset 10"),
        (b"[]", "^the JSON is a list of 0 items, not a study object$"),
        (b'"NCT01234567"', "^the JSON is text, not a study object$"),
        (b'{"hasResults": NaN}', "^not valid JSON: NaN is not a JSON value$"),
        (b'{"studies": []}', "page of search results"),
        (
            b'{"apiVersion": "2.0.5"}',
            r"^the JSON object is not a study: no protocolSection \(its keys: apiVersion\)$",
        ),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_documents_that_are_not_studies(raw, reason):
    with pytest.raises(RecordError, match=reason):
        parse_study(raw, source="x", snapshot_date=SNAPSHOT)


@pytest.mark.parametrize(
    "path, value, reason",
    [
        (
            "protocolSection",
            ...,
            r"^the JSON object is not a study: no protocolSection "
            r"\(its keys: derivedSection, hasResults\)$",
        ),
        ("protocolSection", None, "^no protocolSection: not a registry study record$"),
        (
            "protocolSection.identificationModule",
            ...,
            "^no protocolSection.identificationModule: not a registry study record$",
        ),
        (
            "protocolSection.identificationModule.nctId",
            ...,
            "^no nctId in protocolSection.identificationModule$",
        ),
        ("protocolSection.identificationModule.nctId", 973089, "^nctId is a number, not text$"),
        (
            "protocolSection.identificationModule.nctId",
            "NCT0097308",
            r"^nctId 'NCT0097308' is not an NCT number \(NCT and eight digits\)$",
        ),
        (
            "protocolSection.statusModule.startDateStruct.date",
            "May 2010",
            "^protocolSection.statusModule.startDateStruct.date is not a date: 'May 2010'$",
        ),
        (
            "protocolSection.statusModule.statusVerifiedDate",
            "2015-13",
            "^protocolSection.statusModule.statusVerifiedDate is not a date: '2015-13'$",
        ),
        (
            "protocolSection.statusModule.studyFirstPostDateStruct.date",
            "2009-02-30",
            "studyFirstPostDateStruct.date is not a date: '2009-02-30'$",
        ),
        (
            "protocolSection.statusModule",
            [],
            "^protocolSection.statusModule is a list, not an object$",
        ),
        (
            "protocolSection.designModule.enrollmentInfo.count",
            "0",
            "^protocolSection.designModule.enrollmentInfo.count is not a whole number: '0'$",
        ),
        (
            "protocolSection.conditionsModule.conditions",
            "Caries, Dental",
            "^protocolSection.conditionsModule.conditions is text, not a list$",
        ),
        (
            "protocolSection.conditionsModule.keywords",
            ["Primary tooth", 7],
            r"^protocolSection.conditionsModule.keywords\[1\] is a number, not text$",
        ),
        (
            "protocolSection.contactsLocationsModule.locations",
            ["Jerusalem"],
            r"^protocolSection.contactsLocationsModule.locations\[0\] is text, not an object$",
        ),
        (
            "protocolSection.contactsLocationsModule.locations",
            "Jerusalem",
            "^protocolSection.contactsLocationsModule.locations is text, not a list$",
        ),
        (
            "protocolSection.contactsLocationsModule.locations",
            [{"facility": "Hadassah", "city": "Jerusalem"}, {"facility": "Sheba", "city": 52}],
            r"^protocolSection.contactsLocationsModule.locations\[1\].city is a number, not text$",
        ),
        (
            "protocolSection.contactsLocationsModule.locations",
            [{"facility": "Hadassah", "status": ["RECRUITING"]}],
            r"^protocolSection.contactsLocationsModule.locations\[0\].status is a list, not text$",
        ),
        (
            "protocolSection.eligibilityModule.healthyVolunteers",
            "Yes",
            "^protocolSection.eligibilityModule.healthyVolunteers is not true or false: 'Yes'$",
        ),
        ("hasResults", "false", "^hasResults is not true or false: 'false'$"),
    ],
)
def test_damaged_studies_are_refused_naming_the_field(path, value, reason):
    with pytest.raises(RecordError, match=reason):
        parse_study(broken(path, value), source="x", snapshot_date=SNAPSHOT)


def test_single_line_text_is_collapsed_and_lists_drop_empty_values():
    trial = v2(
        {
            "identificationModule": {
                "nctId": "NCT01234567",
                "briefTitle": "  Platelet\n gel   in SSc ",
                "secondaryIdInfos": [{"id": " 2015-000168-32 "}, {"id": ""}, {"type": "OTHER"}],
            },
            "conditionsModule": {"conditions": ["Systemic  Sclerosis", " ", ""]},
            "designModule": {"phases": ["PHASE1", "PHASE2", "PHASE1"]},
            "eligibilityModule": {
                "eligibilityCriteria": "\r\n  Inclusion Criteria:  \r\n\r\n  * SSc\r\n\n",
                "minimumAge": "N/A",
            },
        }
    )
    assert trial.brief_title == "Platelet gel in SSc"
    assert trial.secondary_ids == ["2015-000168-32"]
    assert trial.conditions == ["Systemic Sclerosis"]
    assert trial.phases == ["PHASE1", "PHASE2"]
    assert trial.eligibility_criteria == "Inclusion Criteria:\n\n* SSc"
    assert trial.minimum_age == ""


def test_unknown_enumeration_values_are_kept():
    trial = v2({"statusModule": {"overallStatus": "PAUSED_FOR_REVIEW"}})
    assert trial.overall_status == "PAUSED_FOR_REVIEW"


# --- one model, two formats ---------------------------------------------------------------------


@functools.cache
def spec_schemas() -> dict[str, dict]:
    """Enum values and property `$ref`s of `components/schemas`, read from the OpenAPI YAML.

    The project has no YAML library, and the file's layout is regular (two-space indents, one
    schema per four-space key), so a few patterns read it; the sanity test below checks them.
    """
    body = SPEC.read_text(encoding="utf-8").split("\ncomponents:\n  schemas:\n", 1)[1]
    schemas: dict[str, dict] = {}
    current = prop = None
    in_enum = False
    for line in body.splitlines():
        if match := re.match(r"^    (\w+):$", line):
            current = schemas.setdefault(match.group(1), {"enum": [], "refs": {}})
            prop, in_enum = None, False
        elif current is None:
            continue
        elif line == "      enum:":
            in_enum = True
        elif in_enum and (match := re.match(r'^      - "(.*)"$', line)):
            current["enum"].append(match.group(1))
        else:
            in_enum = False
            if match := re.match(r"^        (\w+):$", line):
                prop = match.group(1)
            elif prop and (match := re.match(r'^\s+\$ref: "#/components/schemas/(\w+)"$', line)):
                current["refs"].setdefault(prop, match.group(1))
    return schemas


def spec_enum(name: str) -> list[str]:
    return spec_schemas()[name]["enum"]


def test_the_spec_reader_reads_the_spec():
    schemas = spec_schemas()
    assert len([s for s in schemas.values() if s["enum"]]) == 42
    assert spec_enum("Phase") == ["NA", "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"]
    assert spec_enum("DateType") == ["ACTUAL", "ESTIMATED"]
    assert schemas["DesignModule"]["refs"]["phases"] == "Phase"
    assert schemas["Study"]["refs"]["protocolSection"] == "ProtocolSection"


# (record field, spec schema, property, enum schema, legacy table)
ENUM_FIELDS = [
    ("overall_status", "StatusModule", "overallStatus", "Status", STATUSES),
    ("last_known_status", "StatusModule", "lastKnownStatus", "Status", STATUSES),
    ("phases", "DesignModule", "phases", "Phase", PHASES),
    ("study_type", "DesignModule", "studyType", "StudyType", STUDY_TYPES),
    ("allocation", "DesignInfo", "allocation", "DesignAllocation", ALLOCATIONS),
    (
        "intervention_model",
        "DesignInfo",
        "interventionModel",
        "InterventionalAssignment",
        INTERVENTION_MODELS,
    ),
    ("primary_purpose", "DesignInfo", "primaryPurpose", "PrimaryPurpose", PRIMARY_PURPOSES),
    ("masking", "MaskingBlock", "masking", "DesignMasking", MASKINGS),
    ("who_masked", "MaskingBlock", "whoMasked", "WhoMasked", WHO_MASKED),
    ("enrollment_type", "EnrollmentInfo", "type", "EnrollmentType", DATE_TYPES),
    ("start_date_type", "PartialDateStruct", "type", "DateType", DATE_TYPES),
    ("interventions.type", "Intervention", "type", "InterventionType", INTERVENTION_TYPES),
    ("lead_sponsor_class", "Sponsor", "class", "AgencyClass", AGENCY_CLASSES),
    ("locations.status", "Location", "status", "RecruitmentStatus", STATUSES),
    ("sex", "EligibilityModule", "sex", "Sex", SEXES),
]


@pytest.mark.parametrize("field, schema, prop, enum, table", ENUM_FIELDS, ids=lambda v: v)
def test_each_field_reads_the_enum_the_spec_gives_it(field, schema, prop, enum, table):
    assert spec_schemas()[schema]["refs"][prop] == enum


@pytest.mark.parametrize("field, schema, prop, enum, table", ENUM_FIELDS, ids=lambda v: v)
def test_every_spec_value_has_an_xml_phrase_and_every_phrase_a_spec_value(
    field, schema, prop, enum, table
):
    values = set(spec_enum(enum))
    assert values <= set(table.values()), "an API v2 value the XML parser can never produce"
    if field != "locations.status":
        assert set(table.values()) <= values, "the XML parser produces a name API v2 lacks"


def test_locations_read_from_xml_may_carry_statuses_the_v2_site_enum_lacks():
    extra = set(STATUSES.values()) - set(spec_enum("RecruitmentStatus"))
    assert extra == {
        "UNKNOWN",
        "NO_LONGER_AVAILABLE",
        "TEMPORARILY_NOT_AVAILABLE",
        "APPROVED_FOR_MARKETING",
        "WITHHELD",
    }


def test_reference_types_xml_cannot_express():
    xml_types = {"BACKGROUND", "RESULT"}
    assert set(spec_enum("ReferenceType")) - xml_types == {"DERIVED"}
    trial = xml(
        "<reference><citation>A</citation><PMID>1</PMID></reference>"
        "<results_reference><citation>B</citation><PMID>2</PMID></results_reference>"
    )
    assert {r.type for r in trial.references} == xml_types


def _pair(field: str, phrase: str, value: str) -> tuple[str, dict]:
    """The same fact written as legacy XML (the registry's phrase) and as API v2 (its enum)."""
    if field in ("overall_status", "last_known_status"):
        key = {"overall_status": "overallStatus", "last_known_status": "lastKnownStatus"}[field]
        return f"<{field}>{phrase}</{field}>", {"statusModule": {key: value}}
    if field == "phases":
        return f"<phase>{phrase}</phase>", {"designModule": {"phases": [value]}}
    if field == "study_type":
        return f"<study_type>{phrase}</study_type>", {"designModule": {"studyType": value}}
    if field in ("allocation", "intervention_model", "primary_purpose"):
        key = {"intervention_model": "interventionModel", "primary_purpose": "primaryPurpose"}
        return (
            f"<study_design_info><{field}>{phrase}</{field}></study_design_info>",
            {"designModule": {"designInfo": {key.get(field, field): value}}},
        )
    if field == "masking":
        return (
            f"<study_design_info><masking>{phrase}</masking></study_design_info>",
            {"designModule": {"designInfo": {"maskingInfo": {"masking": value}}}},
        )
    if field == "who_masked":
        return (
            f"<study_design_info><masking>Double ({phrase})</masking></study_design_info>",
            {
                "designModule": {
                    "designInfo": {"maskingInfo": {"masking": "DOUBLE", "whoMasked": [value]}}
                }
            },
        )
    if field == "enrollment_type":
        return (
            f'<enrollment type="{phrase}">12</enrollment>',
            {"designModule": {"enrollmentInfo": {"count": 12, "type": value}}},
        )
    if field == "start_date_type":
        return (
            f'<start_date type="{phrase}">March 2020</start_date>',
            {"statusModule": {"startDateStruct": {"date": "2020-03", "type": value}}},
        )
    if field == "interventions.type":
        return (
            f"<intervention><intervention_type>{phrase}</intervention_type>"
            "<intervention_name>MSC</intervention_name></intervention>",
            {"armsInterventionsModule": {"interventions": [{"type": value, "name": "MSC"}]}},
        )
    if field == "lead_sponsor_class":
        return (
            "<sponsors><lead_sponsor><agency>Drum Tower Hospital</agency>"
            f"<agency_class>{phrase}</agency_class></lead_sponsor></sponsors>",
            {
                "sponsorCollaboratorsModule": {
                    "leadSponsor": {"name": "Drum Tower Hospital", "class": value}
                }
            },
        )
    if field == "locations.status":
        return (
            f"<location><facility><name>Drum Tower Hospital</name><address><city>Nanjing</city>"
            f"<country>China</country></address></facility><status>{phrase}</status></location>",
            {
                "contactsLocationsModule": {
                    "locations": [
                        {
                            "facility": "Drum Tower Hospital",
                            "city": "Nanjing",
                            "country": "China",
                            "status": value,
                        }
                    ]
                }
            },
        )
    if field == "sex":
        return f"<eligibility><gender>{phrase}</gender></eligibility>", {
            "eligibilityModule": {"sex": value}
        }
    raise AssertionError(field)


ENUM_PAIRS = [
    (field, phrase, value)
    for field, _schema, _prop, enum, table in ENUM_FIELDS
    for phrase, value in table.items()
    if value in spec_enum(enum)
]


@pytest.mark.parametrize("field, phrase, value", ENUM_PAIRS, ids=lambda v: v)
def test_both_parsers_give_the_same_record_for_each_enum_value(field, phrase, value):
    xml_body, protocol = _pair(field, phrase, value)
    from_xml, from_json = xml(xml_body), v2(protocol)
    assert from_xml.to_dict() == from_json.to_dict()
    assert from_xml.content_hash() == from_json.content_hash()


def test_both_parsers_give_the_same_record_for_a_whole_trial():
    """NCT03211793's 2020 XML values, written by hand into API v2 form: every field the two
    formats write alike (text blocks without bullets, dates, lists) comes out identical."""
    from_xml = xml(
        """
        <brief_title>Mesenchymal Stromal Cells for
          Angiogenesis and Neovascularization in Digital Ulcers of Systemic Sclerosis</brief_title>
        <acronym>MANUS</acronym>
        <brief_summary><textblock>
          Rationale: digital ulcers &lt;2 cm are painful.

          Objective: safety of MSC.
        </textblock></brief_summary>
        <overall_status>Not yet recruiting</overall_status>
        <start_date type="Anticipated">November 2018</start_date>
        <completion_date type="Anticipated">November 1, 2020</completion_date>
        <phase>Phase 1/Phase 2</phase>
        <study_type>Interventional</study_type>
        <study_design_info><allocation>Randomized</allocation>
          <masking>Quadruple (Participant, Care Provider, Investigator, Outcomes Assessor)</masking>
        </study_design_info>
        <enrollment type="Anticipated">20</enrollment>
        <condition>Systemic Sclerosis</condition>
        <condition>Digital Ulcer</condition>
        <eligibility><gender>All</gender><minimum_age>18 Years</minimum_age>
          <maximum_age>N/A</maximum_age><healthy_volunteers>No</healthy_volunteers></eligibility>
        <verification_date>June 2018</verification_date>
        <study_first_posted type="Actual">July 11, 2017</study_first_posted>
        """,
        nct_id="NCT03211793",
    )
    from_json = v2(
        {
            "identificationModule": {
                "nctId": "NCT03211793",
                "briefTitle": "Mesenchymal Stromal Cells for Angiogenesis and "
                "Neovascularization in Digital Ulcers of Systemic Sclerosis",
                "acronym": "MANUS",
            },
            "descriptionModule": {
                "briefSummary": "Rationale: digital ulcers \\<2 cm are painful.\n\n"
                "Objective: safety of MSC."
            },
            "statusModule": {
                "overallStatus": "NOT_YET_RECRUITING",
                "startDateStruct": {"date": "2018-11", "type": "ESTIMATED"},
                "completionDateStruct": {"date": "2020-11-01", "type": "ESTIMATED"},
                "statusVerifiedDate": "2018-06",
                "studyFirstPostDateStruct": {"date": "2017-07-11", "type": "ACTUAL"},
            },
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE1", "PHASE2"],
                "designInfo": {
                    "allocation": "RANDOMIZED",
                    "maskingInfo": {
                        "masking": "QUADRUPLE",
                        "whoMasked": [
                            "PARTICIPANT",
                            "CARE_PROVIDER",
                            "INVESTIGATOR",
                            "OUTCOMES_ASSESSOR",
                        ],
                    },
                },
                "enrollmentInfo": {"count": 20, "type": "ESTIMATED"},
            },
            "conditionsModule": {"conditions": ["Systemic Sclerosis", "Digital Ulcer"]},
            "eligibilityModule": {
                "sex": "ALL",
                "minimumAge": "18 Years",
                "healthyVolunteers": False,
            },
        },
        nct_id="NCT03211793",
    )
    assert from_xml.to_dict() == from_json.to_dict()


ISO_PARTIAL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
DATE_FIELDS = ["start_date", "primary_completion_date", "completion_date"]
REQUIRED_POSTED_FIELDS = ["first_posted", "last_update_posted"]
OPTIONAL_TYPES = {"enrollment": int, "healthy_volunteers": bool}
FIELD_ENUMS = {
    "overall_status": "Status",
    "last_known_status": "Status",
    "study_type": "StudyType",
    "allocation": "DesignAllocation",
    "intervention_model": "InterventionalAssignment",
    "primary_purpose": "PrimaryPurpose",
    "masking": "DesignMasking",
    "enrollment_type": "EnrollmentType",
    "start_date_type": "DateType",
    "primary_completion_date_type": "DateType",
    "completion_date_type": "DateType",
    "lead_sponsor_class": "AgencyClass",
    "sex": "Sex",
}


def real_records():
    for folder in XML_FOLDERS:
        for path in sorted(folder.glob("*.xml")):
            yield (
                f"xml:{folder.name}/{path.name}",
                parse_clinical_study(path.read_bytes(), source=str(path)).record,
            )
    for path in STUDY_FILES:
        if not isinstance(STUDY_OUTCOMES[path.name], RecordError):
            yield f"json:{path.name}", record(path.name)


REAL_RECORDS = list(real_records())


@pytest.mark.parametrize("name, trial", REAL_RECORDS, ids=[name for name, _ in REAL_RECORDS])
def test_every_real_record_of_either_format_fits_the_same_shape(name, trial):
    blank = TrialRecord(nct_id="NCT00000000").to_dict()
    values = trial.to_dict()
    assert values.keys() == blank.keys()
    for key, value in values.items():
        if key in OPTIONAL_TYPES:
            assert value is None or type(value) is OPTIONAL_TYPES[key], key
        else:
            assert type(value) is type(blank[key]), key
    for key, enum in FIELD_ENUMS.items():
        assert values[key] in ["", *spec_enum(enum)], key
    assert set(trial.phases) <= set(spec_enum("Phase"))
    assert set(trial.who_masked) <= set(spec_enum("WhoMasked"))
    assert {i.type for i in trial.interventions} <= set(spec_enum("InterventionType"))
    assert {r.type for r in trial.references} <= set(spec_enum("ReferenceType"))
    for key in DATE_FIELDS:
        assert values[key] == "" or ISO_PARTIAL.match(values[key]), key
    assert values["results_first_posted"] == "" or ISO_DAY.match(values["results_first_posted"])
    for key in REQUIRED_POSTED_FIELDS:  # every registry record has these dates
        assert ISO_DAY.match(values[key]), key
    assert ISO_MONTH.match(values["verification_date"])


def test_the_site_list_reader_gives_what_the_generic_reader_gives_for_every_real_study():
    from trials.sources.api_v2 import _locations, _Reader

    from .test_sync_faults import real_studies

    sites = 0
    for study in real_studies():
        module = _Reader(study["protocolSection"]).child("contactsLocationsModule")
        generic = [
            Location(
                *(site.line(key) for key in ("facility", "city", "state", "country", "status"))
            )
            for site in module.objects("locations")
        ]
        assert _locations(module) == generic
        sites += len(generic)
    assert sites > 400
    messy = _Reader({"locations": [{"facility": "  Peking \n Union  ", "country": "China"}, {}]})
    assert _locations(messy) == [Location(facility="Peking Union", country="China"), Location()]


def test_canonical_json_is_the_standard_librarys_canonical_spelling():
    import json

    from core.canonical import canonical_json

    from .test_sync_faults import real_studies

    def stdlib(value):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    values = [
        parse_study(study, source="x", snapshot_date=SNAPSHOT).record.to_dict()
        for study in real_studies()
    ]
    values += [
        {"text": '\x00\x1f\x7f\u2028 \b\f\n\r\t "\\/ 硬皮病 \U0001f600', "b": [True, None, 0]},
        {"big": 2**70, "negative": -(2**63) - 1},
    ]
    for value in values:
        assert canonical_json(value).decode("utf-8") == stdlib(value)


def test_documents_orjson_refuses_are_read_by_the_standard_library():
    study = load("NCT00973089.json")
    text = json.dumps(study)
    big = text.replace('"hasResults"', '"huge": 123456789012345678901234567890, "hasResults"', 1)
    assert (
        parse_study(big.encode(), source="x", snapshot_date=SNAPSHOT).record
        == parse_study(text, source="x", snapshot_date=SNAPSHOT).record
    )
    bom = "\ufeff".encode() + text.encode()
    assert (
        parse_study(bom, source="x", snapshot_date=SNAPSHOT).record
        == parse_study(text, source="x", snapshot_date=SNAPSHOT).record
    )
    with pytest.raises(RecordError, match="NaN is not a JSON value"):
        parse_study(
            text.replace('"hasResults": false', '"hasResults": NaN').encode(),
            source="x",
            snapshot_date=SNAPSHOT,
        )
