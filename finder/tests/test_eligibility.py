"""Eligibility parsing and assessment on real registry criteria (fixtures/criteria/README.md).

No test here is marked for the database: pytest-django refuses any query, which is how these
tests also prove that `eligibility_for` works on an unsaved trial.
"""

import csv
from pathlib import Path

import pytest

from finder.eligibility import (
    EXCLUSION,
    INCLUSION,
    NEEDS_DOCTOR_EN,
    NEEDS_DOCTOR_ZH,
    Criterion,
    Fit,
    Rule,
    assess,
    eligibility_for,
    parse_criteria,
    split_criteria,
    structured_criteria,
)
from finder.patient import Patient
from trials.models import Trial
from trials.sources.legacy_xml import parse_clinical_study

FIXTURES = Path(__file__).parent / "fixtures" / "criteria"


def text(name: str) -> str:
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")


def criterion(name: str, start: str) -> Criterion:
    found = [c for c in parse_criteria(text(name)) if c.text.startswith(start)]
    assert len(found) == 1, [c.text for c in parse_criteria(text(name))]
    return found[0]


def judge(item: Criterion, **answers):
    return assess([item], Patient(**answers))[0]


def bulk(start: str) -> Criterion:
    """A sentence from the 2023 bulk corpus (bulk-sentences.tsv), as its own list would hold it."""
    with (FIXTURES / "bulk-sentences.tsv").open(encoding="utf-8") as rows:
        found = [
            row
            for row in csv.DictReader(rows, delimiter="\t")
            if row["criterion"].startswith(start)
        ]
    assert len(found) == 1
    row = found[0]
    (item,) = parse_criteria(f"{row['section'].title()} Criteria:\n\n* {row['criterion']}")
    assert item.section == row["section"]
    return item


def trial_from_record(name: str) -> Trial:
    """An unsaved Trial carrying a real record's fields, as `trials.actions` would set them."""
    path = FIXTURES / "records" / f"{name}.xml"
    record = parse_clinical_study(path.read_bytes(), source=path.name).record
    fields = record.to_dict()
    fields.pop("locations")
    return Trial(**fields)


# --- splitting ------------------------------------------------------------------------------


def test_split_joins_hard_wrapped_lines_and_separates_the_lists():
    inclusion, exclusion = split_criteria(text("NCT02213705"))
    assert inclusion[0] == "Age> 18 years and <70 years."
    assert inclusion[1] == (
        "Established diagnosis of systemic sclerosis according to the criteria of the American "
        "College of Rheumatology"
    )
    assert "DLCO <30% of the theorical ;" in exclusion
    assert "Pregnancy or absence of appropriate contraception throughout the study." in exclusion
    assert not any("Exclusion Criteria" in item for item in inclusion + exclusion)
    assert "Respiratory Disease:" not in exclusion  # a heading, not a criterion


def test_split_rewrapped_copies_give_the_same_criteria():
    for original, altered in (
        ("aact-NCT00513591", "aact-NCT00513591_mod"),
        ("aact-NCT02028676", "aact-NCT02028676_modified"),
    ):
        assert text(original) != text(altered)
        assert split_criteria(text(original)) == split_criteria(text(altered))


def test_split_markdown_keeps_nested_items_with_their_parent():
    inclusion, exclusion = split_criteria(text("api-v2-NCT02552212"))
    assert inclusion[4] == (
        "Active disease at Screening as defined by\n"
        "- Bath Ankylosing Spondylitis Disease Activity Index (BASDAI) score >= 4\n"
        "- Spinal pain >= 4 on a 0 to 10 Numerical Rating Scale (NRS)"
    )
    assert len(inclusion) == 6
    assert len(exclusion) == 11


def test_split_inline_numbered_items_after_a_header():
    _, exclusion = split_criteria(text("aact-NCT02958956"))
    assert exclusion[0] == "Age less than (<) 40 years during study period."
    assert exclusion[1].startswith("No KPNC medication benefits")
    assert "Participant with a diagnosis of Human immunodeficiency virus (HIV)." in exclusion
    assert "Participants with evidence of selected surgeries for some cancer sites." in exclusion
    assert len(exclusion) == 6


def test_split_unusual_headers():
    inclusion, exclusion = split_criteria(text("aact-NCT00001177"))  # "-  INCLUSION CRITERIA:"
    assert "age 18 to 50;" in inclusion
    assert len(exclusion) == 2
    inclusion, exclusion = split_criteria(text("aact-NCT00151216"))  # "Exclusion criteria"
    assert len(inclusion) == 6
    assert len(exclusion) == 6
    assert exclusion[2] == "Individuals with heart disease that would be a risk for anesthesia."


def test_split_preamble_sentences_are_headers_not_criteria():
    inclusion, exclusion = split_criteria(text("aact-NCT01841593"))
    assert inclusion[0].startswith("The ability to understand and sign")
    assert exclusion[0].startswith("Any significant acute or chronic medical illness")
    assert "study." not in exclusion
    assert not any("following" in item and "criteria" in item for item in inclusion + exclusion)


def test_split_without_headers_lists_everything_as_inclusion():
    inclusion, exclusion = split_criteria(text("NCT00004786"))
    assert exclusion == []
    assert "No pregnant or nursing women" in inclusion
    assert "Hematopoietic: No platelet disorder" in inclusion
    assert "Cardiovascular:" not in inclusion
    assert not any("Disease Characteristics" in item for item in inclusion)


def test_split_empty_and_placeholder_texts():
    assert split_criteria(text("aact-NCT03182660")) == ([], [])
    assert split_criteria("") == ([], [])
    only = parse_criteria(text("NCT00005317"))
    assert only == [Criterion("No eligibility criteria", INCLUSION, None)]


def test_criteria_under_a_scope_are_never_given_a_rule():
    # "Aged at least 3 years" would parse, but it belongs to a sub-study's own criteria.
    scoped = criterion("aact-NCT02028676", "Aged at least 3 years")
    assert scoped.section == INCLUSION
    assert scoped.rule is None
    assert criterion("aact-NCT02028676", "Likely to switch").section == EXCLUSION
    # "Inclusion Criteria Stage 1": even plain pregnancy wording stays unparsed.
    staged = criterion("aact-NCT03424005", "Pregnancy or breastfeeding")
    assert staged.section == EXCLUSION
    assert staged.rule is None
    # "For adolescent participants:" is a heading and scopes what follows it.
    inclusion, _ = split_criteria(text("api-v2-NCT03630471"))
    assert not any(item.startswith("For adolescent participants") for item in inclusion)
    assert criterion("api-v2-NCT03630471", "For adolescents under 18").rule is None


def test_parse_criteria_lists_inclusion_before_exclusion():
    sections = [c.section for c in parse_criteria(text("NCT03211793"))]
    assert sections == sorted(sections, key=lambda section: section != INCLUSION)
    assert sections.count(INCLUSION) == 3
    assert sections.count(EXCLUSION) == 7


# --- rules from real sentences --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "start", "rule"),
    [
        (
            "NCT02213705",
            "Age> 18 years and <70 years.",
            Rule("age", {"min": 18, "min_inclusive": False, "max": 70, "max_inclusive": False}),
        ),
        ("aact-NCT00001177", "age 18 to 50;", Rule("age", {"min": 18, "max": 50})),
        ("NCT03060551", "age over 18 year old", Rule("age", {"min": 18, "min_inclusive": False})),
        (
            "api-v2-NCT00763412",
            "Male or females 12 -24 years old",
            Rule("age", {"min": 12, "max": 24}),
        ),
        (
            "NCT03211793",
            "Established diagnosis of SSc",
            Rule(
                "subtype", {"subtypes": ["diffuse", "limited"], "any_ssc": True, "systemic": True}
            ),
        ),
        (
            "NCT02975960",
            "Patients who fulfill 2013 American college",
            Rule(
                "subtype", {"subtypes": ["diffuse", "limited"], "any_ssc": True, "systemic": True}
            ),
        ),
        (
            "NCT00007267",
            "Diagnosis of CREST or systemic sclerosis",
            Rule(
                "subtype", {"subtypes": ["diffuse", "limited"], "any_ssc": True, "systemic": True}
            ),
        ),
        (
            "NCT02558543",
            "Systemic Sclerosis ( limited or diffuse cutaneous shape)",
            Rule("subtype", {"subtypes": ["diffuse", "limited"], "systemic": True}),
        ),
        (
            "NCT00005675",
            "Limited and localized (morphea) or linear SSc",
            Rule("subtype", {"subtypes": ["limited", "morphea"], "systemic": True}),
        ),
        (
            "NCT00004563",
            "Onset of the first symptom of scleroderma other than Raynaud",
            Rule("disease_duration", {"max_years": 7, "from": "onset"}),
        ),
        ("NCT00004563", "An FVC between 45 and 85", Rule("fvc", {"min": 45, "max": 85})),
        (
            "NCT00004563",
            "A single-breath carbon monoxide diffusing capacity",
            Rule("dlco", {"max": 30, "max_inclusive": False}),
        ),
        (
            "NCT02213705",
            "DLCO <30% of the theorical",
            Rule("dlco", {"max": 30, "max_inclusive": False}),
        ),
        (
            "NCT00005675",
            "Stable MRSS of 16 or more",
            Rule("mrss", {"min": 16, "join": "and", "partial": True}),
        ),
        ("NCT02975960", "Pregnancy", Rule("pregnancy", {})),
        (
            "NCT01813279",
            "Pregnant or breast-feeding Women",
            Rule("pregnancy", {"breastfeeding": True}),
        ),
        (
            "NCT00004786",
            "No pregnant or nursing women",
            Rule("pregnancy", {"negated": True, "breastfeeding": True}),
        ),
        (
            "aact-NCT01841593",
            "Male or non-pregnant, non-lactating females",
            Rule("pregnancy", {"negated": True, "breastfeeding": True}),
        ),
        (
            "NCT00005675",
            "Any organ transplant or stem cell transplant",
            Rule("therapy", {"therapies": ["hsct"], "when": "ever", "join": "or", "partial": True}),
        ),
        (
            "aact-NCT01029262",
            "Prior stem cell transplantation",
            Rule("therapy", {"therapies": ["hsct"], "when": "ever"}),
        ),
        (
            "NCT00498615",
            "definite Raynaud's",
            Rule("organ", {"organ": "raynaud", "term": "Raynaud's"}),
        ),
    ],
)
def test_rules_parsed_from_real_sentences(name, start, rule):
    assert criterion(name, start).rule == rule


def test_diagnosis_and_duration_in_one_sentence():
    rule = criterion("NCT00005675", "Clinical diagnosis of diffuse systemic scleroderma").rule
    assert rule.kind == "subtype"
    assert rule.params["subtypes"] == ["diffuse"]
    assert rule.params["also"] == [
        Rule("disease_duration", {"max_years": 10, "from": "unspecified"})
    ]
    assert rule.params["join"] == "and"
    assert "partial" not in rule.params


def test_glucocorticoid_dose_is_kept():
    rule = criterion("NCT03406988", "Concomitant treatment with immune-suppressive").rule
    assert rule.kind == "therapy"
    assert rule.params["therapies"] == ["glucocorticoids"]
    assert rule.params["min_dose_mg"] == 10
    assert rule.params["join"] == "or"  # "(including prednisone …)": one example of several


@pytest.mark.parametrize(
    ("name", "start"),
    [
        # A measure of something else, or qualifiers the rule cannot carry.
        ("NCT00962923", "Rapidly progressive disease <2 years duration"),
        ("NCT00962923", "(4) HIV or HTLV1 seropositivity"),
        ("aact-NCT02591810", "Have an acute (less than 4 week old) injury"),
        ("aact-NCT03459976", "Age more than 70 yr and less than 40 yr."),
        ("aact-NCT03599518", "Has any factors that increase the risk of QTc"),
        ("aact-NCT01029262", "Must agree to follow pregnancy precautions"),
        # SSc named, but not as the patient's diagnosis.
        ("NCT00006393", "Positive for systemic sclerosis antibodies"),
        ("NCT00005675", "Systemic sclerosis-like illnesses"),
        ("NCT02558543", "Prescription of a new systemic treatment for SSc"),
        # A negation the rule would have to guess the reach of.
        ("NCT02558543", "Patients receiving immunosuppressive therapy not including"),
        # "such as … renal involvement" qualified by "severe": not the patient's tick box.
        ("NCT03406988", "Presence of severe extra-cutaneous manifestations"),
        # No inclusion/exclusion headers: an organ sentence's polarity is not stated.
        ("NCT00004786", "Raynaud's phenomenon secondary to systemic sclerosis"),
        ("NCT00004563", "Patients taking prednisone at a dose of more than 10 mg per day"),
        ("NCT01813279", "Minors"),
    ],
)
def test_unclear_sentences_stay_unparsed(name, start):
    assert criterion(name, start).rule is None


@pytest.mark.parametrize(
    "start",
    [
        "Patients 36 to 55 years of age must have",  # a condition on some patients, not an age limit
        "Forced expiratory volume at one second (FEV1)/forced vital capacity",  # a ratio
        "FEV(1)/FVC greater than 80 percent",
        "Anabolic steroids within 3 months",  # not glucocorticoids
        "Results of Pap smear performed within one year of the onset of treatment",
        "CMV retinitis diagnosed within one month",  # another diagnosis
        "DONOR: Pregnancy",  # someone else
        "DONOR: Age less than 12 years",
        "Rheumatoid arthritis with biopsy-proven pulmonary fibrosis or;",  # continues elsewhere
        "Prior therapy with oral MTX or oral Cy",  # a route the patient did not give
        "Corticosteroids (other than topical).",
        "Diagnosed rheumatic disease: rheumatoid arthritis, Collagenosis",
    ],
)
def test_bulk_corpus_sentences_that_must_stay_unparsed(start):
    assert bulk(start).rule is None


def test_bulk_corpus_sentences_read_correctly():
    assert bulk("Have disease duration 6 months to 20 years").rule == Rule(
        "disease_duration", {"min_years": 0.5, "max_years": 20, "from": "unspecified"}
    )
    assert bulk("Age at least 6 months and less than 6 years").rule == Rule(
        "age", {"min": 0.5, "min_inclusive": True, "max": 6, "max_inclusive": False}
    )
    assert bulk("DLCO less than 65% predicted.").rule == Rule(
        "dlco", {"max": 65, "max_inclusive": False}
    )
    assert bulk("Any corticosteroid therapy within the previous 6 months.").rule == Rule(
        "therapy", {"therapies": ["glucocorticoids"], "when": "any", "within_months": 6}
    )
    steroid_hormones = bulk("Systemic glucocorticoids and steroid hormones.").rule
    assert steroid_hormones.params["therapies"] == ["glucocorticoids"]
    assert "also" not in steroid_hormones.params  # "steroid hormones" are not glucocorticoids
    outpatient = bulk("Outpatient male or female 18 years or older")
    assert outpatient.rule.params["join"] == "and"  # "male or female" is not an alternative
    assert judge(outpatient, age=15).fit == Fit.NOT_MET


def test_bulk_corpus_assessments():
    no_scleroderma = bulk("No systemic lupus erythematosus, Sjogren syndrome, or scleroderma;")
    assert no_scleroderma.section == INCLUSION
    assert judge(no_scleroderma, diagnosis="diffuse").fit == Fit.NOT_MET
    assert judge(no_scleroderma).fit == Fit.UNKNOWN
    ph = bulk("Patients with pulmonary hypertension or valvular heart disease")
    assert judge(ph, organs=frozenset({"pah"})).fit == Fit.NOT_MET
    assert judge(ph, organs=frozenset({"ild"})).fit == Fit.UNKNOWN
    mood = bulk("Currently receiving medical treatment that would affect mood, such as steroids")
    assert judge(mood, current_treatments=frozenset({"glucocorticoids"})).fit == Fit.NOT_MET
    assert judge(mood, past_treatments=frozenset({"glucocorticoids"})).fit == Fit.UNKNOWN
    antiemetics = bulk("No concurrent dexamethasone or other steroidal antiemetics")
    assert antiemetics.rule.params["drug"] == "dexamethasone"
    assert judge(antiemetics, current_treatments=frozenset({"glucocorticoids"})).fit == (
        Fit.UNKNOWN
    )


def test_no_rule_is_guessed_from_headerless_text_except_age_subtype_and_stated_negations():
    kinds = {
        c.rule.kind
        for name in ("NCT00004380", "NCT00004786", "NCT00006393", "NCT00001330")
        for c in parse_criteria(text(name))
        if c.rule
    }
    assert kinds == {"age", "subtype", "pregnancy"}
    for name in ("NCT00004380", "NCT00004786"):
        pregnancy = [
            (c.text, c.rule.params.get("negated"))
            for c in parse_criteria(text(name))
            if c.rule and c.rule.kind == "pregnancy"
        ]
        assert pregnancy == [("No pregnant or nursing women", True)], name


# --- assessing a patient --------------------------------------------------------------------


AGE_18_TO_70 = structured_criteria(
    minimum_age="18 Years", maximum_age="70 Years", sex="ALL", healthy_volunteers=False
)[0]


def test_age_outside_the_range_is_not_met_and_says_why():
    result = judge(AGE_18_TO_70, age=75)
    assert result.fit == Fit.NOT_MET
    assert "75 岁" in result.reason_zh and "18–70 岁" in result.reason_zh
    assert "75" in result.reason_en and "18–70" in result.reason_en


def test_age_inside_the_range_is_met():
    result = judge(AGE_18_TO_70, age=45)
    assert result.fit == Fit.MET
    assert result.reason_zh.startswith("您的年龄 45 岁，在 18–70 岁之间")


def test_unanswered_age_is_unknown():
    result = judge(AGE_18_TO_70)
    assert result.fit == Fit.UNKNOWN
    assert result.reason_zh.endswith(NEEDS_DOCTOR_ZH)


def test_whole_year_ages_at_strict_limits():
    strict = criterion("NCT02213705", "Age> 18 years and <70 years.")
    assert judge(strict, age=18).fit == Fit.UNKNOWN  # 18 and a day is over 18
    assert judge(strict, age=19).fit == Fit.MET
    assert judge(strict, age=69).fit == Fit.MET
    assert judge(strict, age=70).fit == Fit.NOT_MET
    assert judge(strict, age=17).fit == Fit.NOT_MET
    assert judge(AGE_18_TO_70, age=70).fit == Fit.MET  # "70 Years" includes 70


def test_registry_ages_in_months_and_missing_ages():
    infants = structured_criteria(
        minimum_age="3 Months", maximum_age="17 Years", sex="ALL", healthy_volunteers=None
    )
    assert infants[0].rule == Rule("age", {"min": 0.25, "max": 17})
    assert judge(infants[0], age=0).fit == Fit.UNKNOWN
    assert judge(infants[0], age=5).fit == Fit.MET
    assert judge(infants[0], age=18).fit == Fit.NOT_MET
    assert [c.text for c in infants] == ["Minimum age: 3 Months; Maximum age: 17 Years", "Sex: ALL"]
    none = structured_criteria(minimum_age="N/A", maximum_age="", sex="", healthy_volunteers=None)
    assert none == []


def test_sex_and_healthy_volunteers():
    women, volunteers = structured_criteria(
        minimum_age="", maximum_age="", sex="FEMALE", healthy_volunteers=True
    )
    assert judge(women, sex="MALE").fit == Fit.NOT_MET
    assert judge(women, sex="FEMALE").fit == Fit.MET
    assert judge(women).fit == Fit.UNKNOWN
    assert judge(volunteers, sex="FEMALE").fit == Fit.UNKNOWN


def test_pregnancy_exclusion():
    pregnancy = criterion("NCT02975960", "Pregnancy")
    assert judge(pregnancy, sex="FEMALE", pregnant=True).fit == Fit.NOT_MET
    assert judge(pregnancy, sex="FEMALE", pregnant=False).fit == Fit.MET
    assert judge(pregnancy, sex="FEMALE").fit == Fit.UNKNOWN
    assert judge(pregnancy, sex="MALE").fit == Fit.MET


def test_pregnancy_or_breastfeeding_needs_an_answer_we_do_not_ask():
    either = criterion("NCT01813279", "Pregnant or breast-feeding Women")
    assert judge(either, sex="FEMALE", pregnant=True).fit == Fit.NOT_MET
    assert judge(either, sex="FEMALE", pregnant=False).fit == Fit.UNKNOWN
    assert judge(either, sex="MALE").fit == Fit.MET


def test_negated_pregnancy_in_an_unheaded_list():
    nursing = criterion("NCT00004786", "No pregnant or nursing women")
    assert nursing.section == INCLUSION
    assert judge(nursing, sex="FEMALE", pregnant=True).fit == Fit.NOT_MET
    assert judge(nursing, sex="MALE").fit == Fit.MET
    assert judge(nursing, sex="FEMALE", pregnant=False).fit == Fit.UNKNOWN


def test_pregnancy_or_something_unparsed():
    either = criterion("NCT02213705", "Pregnancy or absence of appropriate contraception")
    assert judge(either, sex="FEMALE", pregnant=True).fit == Fit.NOT_MET
    result = judge(either, sex="FEMALE", pregnant=False)
    assert result.fit == Fit.UNKNOWN
    assert "本条还有其他要求" in result.reason_zh


def test_subtype_exclusion():
    limited = criterion("NCT00005675", "Limited and localized (morphea) or linear SSc")
    assert judge(limited, diagnosis="diffuse").fit == Fit.MET
    assert judge(limited, diagnosis="limited").fit == Fit.NOT_MET
    assert judge(limited, diagnosis="morphea").fit == Fit.NOT_MET
    assert judge(limited, diagnosis="overlap").fit == Fit.UNKNOWN
    assert judge(limited, diagnosis="unsure").fit == Fit.UNKNOWN


def test_any_ssc_inclusion():
    ssc = criterion("NCT03211793", "Established diagnosis of SSc")
    assert judge(ssc, diagnosis="limited").fit == Fit.MET
    assert judge(ssc, diagnosis="morphea").fit == Fit.NOT_MET
    assert judge(ssc, diagnosis="overlap").fit == Fit.UNKNOWN
    assert judge(ssc).fit == Fit.UNKNOWN
    # Plain "scleroderma" also covers morphea in common use: no answer for morphea.
    scleroderma = criterion("NCT00498615", "diagnosis of scleroderma")
    assert judge(scleroderma, diagnosis="diffuse").fit == Fit.MET
    assert judge(scleroderma, diagnosis="morphea").fit == Fit.UNKNOWN


def test_subtype_with_disease_duration():
    diffuse = criterion("NCT00005675", "Clinical diagnosis of diffuse systemic scleroderma")
    assert judge(diffuse, diagnosis="limited", years_since_diagnosis=2).fit == Fit.NOT_MET
    assert judge(diffuse, diagnosis="diffuse", years_since_diagnosis=12).fit == Fit.NOT_MET
    # The registry does not say from when the 10 years count: a short time since diagnosis
    # does not prove a short disease duration.
    assert judge(diffuse, diagnosis="diffuse", years_since_diagnosis=3).fit == Fit.UNKNOWN


def test_duration_from_first_non_raynaud_symptom():
    onset = criterion("NCT00004563", "Onset of the first symptom of scleroderma")
    assert judge(onset, years_since_diagnosis=8).fit == Fit.NOT_MET
    result = judge(onset, years_since_diagnosis=3)
    assert result.fit == Fit.UNKNOWN
    assert "非雷诺" in result.reason_zh


def test_lung_function():
    fvc = criterion("NCT00004563", "An FVC between 45 and 85")
    assert judge(fvc, fvc_percent=50).fit == Fit.MET
    assert judge(fvc, fvc_percent=40).fit == Fit.NOT_MET
    assert judge(fvc).fit == Fit.UNKNOWN
    dlco = criterion("NCT02213705", "DLCO <30% of the theorical")
    assert judge(dlco, dlco_percent=25).fit == Fit.NOT_MET
    assert judge(dlco, dlco_percent=30).fit == Fit.MET


def test_partial_mrss_rule_decides_only_when_it_fails():
    mrss = criterion("NCT00005675", "Stable MRSS of 16 or more")
    assert judge(mrss, mrss=10).fit == Fit.NOT_MET
    assert judge(mrss, mrss=20).fit == Fit.UNKNOWN  # "stable" cannot be checked


def test_therapy_exclusion_uses_ticked_treatments_only():
    transplant = criterion("NCT00005675", "Any organ transplant or stem cell transplant")
    assert judge(transplant, past_treatments=frozenset({"hsct"})).fit == Fit.NOT_MET
    # An unticked box is not a "no".
    assert judge(transplant).fit == Fit.UNKNOWN


def test_therapy_windows_and_doses():
    within = parse_criteria(
        "Exclusion Criteria:\n\n* Treatment with rituximab within 6 months prior to screening"
    )[0]
    assert within.rule == Rule(
        "therapy", {"therapies": ["rituximab"], "when": "any", "within_months": 6}
    )
    current = judge(within, current_treatments=frozenset({"rituximab"}))
    assert current.fit == Fit.NOT_MET
    past = judge(within, past_treatments=frozenset({"rituximab"}))
    assert past.fit == Fit.UNKNOWN
    assert "6 个月" in past.reason_zh
    dose = criterion("NCT03406988", "Concomitant treatment with immune-suppressive")
    on_steroids = judge(dose, current_treatments=frozenset({"glucocorticoids"}))
    assert on_steroids.fit == Fit.UNKNOWN
    assert "剂量" in on_steroids.reason_zh


def test_therapy_without_a_time_counts_only_what_is_taken_now():
    steroids = criterion("NCT03406988", "Concomitant treatment with immune-suppressive")
    assert steroids.rule.params["when"] == "any"
    past = judge(steroids, past_treatments=frozenset({"glucocorticoids"}))
    assert past.fit == Fit.UNKNOWN
    unspecified = parse_criteria("Exclusion Criteria:\n\n* Tocilizumab")[0]
    assert judge(unspecified, current_treatments=frozenset({"tocilizumab"})).fit == Fit.NOT_MET
    assert judge(unspecified, past_treatments=frozenset({"tocilizumab"})).fit == (Fit.UNKNOWN)


def test_a_named_glucocorticoid_is_not_the_whole_class():
    rule = parse_criteria("Exclusion Criteria:\n\n* Current treatment with dexamethasone")[0]
    assert rule.rule.params["drug"] == "dexamethasone"
    result = judge(rule, current_treatments=frozenset({"glucocorticoids"}))
    assert result.fit == Fit.UNKNOWN
    assert "dexamethasone" in result.reason_zh


def test_current_therapy_is_false_for_a_past_treatment():
    rule = parse_criteria("Exclusion Criteria:\n\n* Current treatment with methotrexate")[0]
    assert rule.rule.params["when"] == "current"
    past = judge(rule, past_treatments=frozenset({"methotrexate"}))
    assert past.fit == Fit.MET
    assert judge(rule, current_treatments=frozenset({"methotrexate"})).fit == Fit.NOT_MET


def test_organ_rule():
    raynaud = criterion("NCT00498615", "definite Raynaud's")
    assert judge(raynaud, organs=frozenset({"raynaud"})).fit == Fit.MET
    assert judge(raynaud, organs=frozenset({"ild"})).fit == Fit.UNKNOWN


def test_exclusion_of_people_with_ssc_in_another_disease_trial():
    excluded = criterion(
        "aact-NCT03245528", "Patients with Raynaud's phenomenon, systemic sclerosis"
    )
    assert excluded.section == EXCLUSION
    assert judge(excluded, diagnosis="diffuse").fit == Fit.NOT_MET
    assert judge(excluded).fit == Fit.UNKNOWN


def test_one_sex_only_age_rule_is_not_applied_to_the_other_sex():
    # The record lists "men age ≥55 years" and "women age ≥65 years" as alternatives.
    women = criterion("aact-NCT01174550", "women age ≥65 years")
    assert women.rule == Rule("age", {"min": 65, "only_sex": "FEMALE"})
    assert judge(women, age=60, sex="FEMALE").fit == Fit.NOT_MET
    assert judge(women, age=70, sex="FEMALE").fit == Fit.MET
    man = judge(women, age=60, sex="MALE")
    assert man.fit == Fit.UNKNOWN
    assert "女性" in man.reason_zh
    assert judge(women, age=70).fit == Fit.UNKNOWN


def test_unparsed_criterion_needs_a_doctor():
    result = judge(criterion("NCT02975960", "Current systemic infection"), age=40)
    assert result.fit == Fit.UNKNOWN
    assert (result.reason_zh, result.reason_en) == (NEEDS_DOCTOR_ZH, NEEDS_DOCTOR_EN)


# --- the whole trial ------------------------------------------------------------------------


def test_eligibility_for_a_real_trial():
    trial = trial_from_record("NCT02213705")
    assert trial.pk is None
    patient = Patient(age=75, sex="FEMALE", diagnosis="limited", pregnant=False, dlco_percent=25)
    result = eligibility_for(trial, patient)
    texts = [a.criterion.text for a in result.assessments]
    assert texts[:3] == [
        "Minimum age: 18 Years; Maximum age: 70 Years",
        "Sex: ALL",
        "Accepts healthy volunteers: No",
    ]
    sections = [a.criterion.section for a in result.assessments]
    assert sections == sorted(sections, key=lambda section: section != INCLUSION)
    assert result.definitely_excluded
    assert result.not_met == 3  # registry age, "Age> 18 years and <70 years.", DLCO < 30%
    assert len(result.exclusion_reasons_zh) == 3
    assert any("75 岁" in reason for reason in result.exclusion_reasons_zh)
    assert any("DLCO" in reason for reason in result.exclusion_reasons_en)
    assert result.met + result.not_met + result.unknown == len(result.assessments)


def test_eligibility_for_someone_who_answered_nothing():
    result = eligibility_for(trial_from_record("NCT03211793"), Patient())
    assert not result.definitely_excluded
    assert result.not_met == 0
    assert all(
        a.fit == Fit.UNKNOWN
        for a in result.assessments
        if a.criterion.rule and a.criterion.rule.kind not in ("sex", "healthy_volunteers")
    )
