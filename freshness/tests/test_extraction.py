"""Claims about trials are found, attributed to the right trial and normalised to registry terms.

The seed brochure is the reference: every claim an editor would want checked against the
registry must be found, and nothing else. Hand-written sentences cover each kind of claim in
both languages, so the rules are tested as rules and not only against one file.
"""

from pathlib import Path

import pytest
from django.conf import settings

from freshness.extraction import KINDS, Statement, extract_statements
from handbook.brochure import Paragraph, parse_brochure

SEED = Path(settings.BASE_DIR) / "demo/data/brochures/mesenchymal-stem-cells.zh-hans.txt"

EST = "ESTIMATED"


@pytest.fixture(scope="module")
def seed_paragraphs() -> list[str]:
    brochure = parse_brochure(SEED.read_bytes(), source_name="seed")
    return [block.text for block in brochure.blocks if isinstance(block, Paragraph)]


@pytest.fixture(scope="module")
def seed_statements(seed_paragraphs) -> list[Statement]:
    return extract_statements(seed_paragraphs, language="zh-hans")


def _summary(statements, nct_id):
    return [(s.kind, s.claim_text, s.claimed) for s in statements if s.nct_id == nct_id]


SEED_EXPECTED = {
    "NCT00962923": [
        ("design", "开放标签", {"masking": "NONE"}),
        ("phase", "I/II期", {"phases": ["PHASE1", "PHASE2"]}),
        ("status", "正在评估", {"status_group": "ONGOING"}),
        ("intervention", "同种异体", {"origin": "ALLOGENEIC"}),
        ("enrollment", "在20例系统性硬皮病患者中", {"count": 20, "enrollment_type": EST}),
        ("status", "在中国进行招募", {"status": "RECRUITING"}),
        ("location", "在中国进行", {"countries": ["China"], "site_count": None}),
        ("completion_date", "原计划2011年12月完成", {"date": "2011-12", "date_type": EST}),
        ("results", "目前无试验结果公布", {"results_posted": False}),
        ("intervention", "从脐带获得", {"source": "umbilical cord"}),
        ("enrollment", "计划招募的20位患者", {"count": 20, "enrollment_type": EST}),
    ],
    "NCT02213705": [
        ("location", "法国一项", {"countries": ["France"], "site_count": None}),
        ("design", "开放标签", {"masking": "NONE"}),
        ("phase", "I/II期", {"phases": ["PHASE1", "PHASE2"]}),
        ("enrollment", "正在招募20例", {"count": 20, "enrollment_type": EST}),
        ("status", "正在招募", {"status": "RECRUITING"}),
        ("intervention", "同种异体", {"origin": "ALLOGENEIC"}),
        ("completion_date", "预计将于2022年1月完成", {"date": "2022-01", "date_type": EST}),
    ],
    "NCT03211793": [
        ("design", "随机、双盲", {"allocation": "RANDOMIZED", "masking": "DOUBLE"}),
        ("phase", "I/II期", {"phases": ["PHASE1", "PHASE2"]}),
        (
            "start_date",
            "预计将于2018年11月在荷兰一地开始招募",
            {"date": "2018-11", "date_type": EST},
        ),
        ("status", "预计将于2018年11月在荷兰一地开始招募", {"status": "NOT_YET_RECRUITING"}),
        ("location", "在荷兰一地", {"countries": ["Netherlands"], "site_count": 1}),
        ("enrollment", "招募多达20名志愿者", {"count": 20, "enrollment_type": EST}),
        ("completion_date", "原计划预计于2020年11月结束", {"date": "2020-11", "date_type": EST}),
        ("results", "目前尚未公布实验结果", {"results_posted": False}),
    ],
    "NCT02975960": [
        ("location", "在韩国的一个地点", {"countries": ["Korea, Republic of"], "site_count": 1}),
        ("enrollment", "招募了多达7名患者", {"count": 7, "enrollment_type": EST}),
        (
            "intervention",
            "取自患者自身的脂肪组织",
            {"source": "adipose", "origin": "AUTOLOGOUS"},
        ),
        ("results", "目前研究结果尚未公布", {"results_posted": False}),
    ],
}


@pytest.mark.parametrize("nct_id", sorted(SEED_EXPECTED))
def test_seed_statements_per_trial(seed_statements, nct_id):
    assert _summary(seed_statements, nct_id) == SEED_EXPECTED[nct_id]


def test_seed_has_no_statements_about_other_trials(seed_statements):
    assert {s.nct_id for s in seed_statements} == set(SEED_EXPECTED)


def test_seed_spans_point_at_the_claim_text(seed_paragraphs, seed_statements):
    for statement in seed_statements:
        text = seed_paragraphs[statement.paragraph]
        assert text[statement.start : statement.end] == statement.claim_text
        assert statement.kind in KINDS
        assert statement.language == "zh-hans"


def test_seed_follow_up_paragraph_belongs_to_previously_cited_trial(
    seed_paragraphs, seed_statements
):
    index = next(i for i, p in enumerate(seed_paragraphs) if p.startswith("本试验预计将于"))
    assert "NCT03211793" in seed_paragraphs[index - 1]
    assert {s.nct_id for s in seed_statements if s.paragraph == index} == {"NCT03211793"}


def test_seed_general_background_before_any_trial_yields_nothing(seed_paragraphs, seed_statements):
    first_cited = next(i for i, p in enumerate(seed_paragraphs) if "NCT" in p)
    assert first_cited > 0
    assert not [s for s in seed_statements if s.paragraph < first_cited]


def test_seed_date_without_start_or_completion_verb_is_ignored(seed_statements):
    korean = [s for s in seed_statements if s.nct_id == "NCT02975960"]
    assert not [s for s in korean if s.kind in {"start_date", "completion_date"}]


def one(text, language, kind=None):
    """The claims of a single paragraph about NCT01234567, optionally of one kind."""
    found = extract_statements(
        [f"试验（NCT01234567）。{text}" if language == "zh-hans" else f"See NCT01234567. {text}"],
        language=language,
    )
    return [
        s.claimed for s in found if (kind is None or s.kind == kind) and s.nct_id == "NCT01234567"
    ]


ZH_CASES = [
    ("该试验正在招募患者。", "status", {"status": "RECRUITING"}),
    ("此试验在美国进行招募。", "status", {"status": "RECRUITING"}),
    ("该试验尚未开始招募。", "status", {"status": "NOT_YET_RECRUITING"}),
    ("该试验正在评估一种新药。", "status", {"status_group": "ONGOING"}),
    ("该试验已提前终止。", "status", {"status": "TERMINATED"}),
    ("该试验预计将于2025年3月完成。", "completion_date", {"date": "2025-03", "date_type": EST}),
    ("该试验已于2019年5月结束。", "completion_date", {"date": "2019-05", "date_type": "ACTUAL"}),
    ("该试验计划于2024年结束。", "completion_date", {"date": "2024", "date_type": EST}),
    ("该试验于2017年6月开始招募。", "start_date", {"date": "2017-06", "date_type": None}),
    ("目前尚未公布试验结果。", "results", {"results_posted": False}),
    ("研究结果仍未公布。", "results", {"results_posted": False}),
    ("试验结果已公布。", "results", {"results_posted": True}),
    ("试验计划招募30名患者。", "enrollment", {"count": 30, "enrollment_type": EST}),
    ("试验共纳入了45名患者。", "enrollment", {"count": 45, "enrollment_type": "ACTUAL"}),
    ("这是一项II期临床试验。", "phase", {"phases": ["PHASE2"]}),
    ("这是一项III期研究。", "phase", {"phases": ["PHASE3"]}),
    (
        "试验在德国和意大利的5个中心开展。",
        "location",
        {"countries": ["Germany", "Italy"], "site_count": 5},
    ),
    (
        "这是一项非随机、开放标签研究。",
        "design",
        {"allocation": "NON_RANDOMIZED", "masking": "NONE"},
    ),
    (
        "这是一项随机、双盲、安慰剂对照试验。",
        "design",
        {"allocation": "RANDOMIZED", "masking": "DOUBLE"},
    ),
    ("干细胞取自患者的骨髓中提取。", "intervention", {"source": "bone marrow"}),
    (
        "患者接受自体骨髓间充质干细胞。",
        "intervention",
        {"source": "bone marrow", "origin": "AUTOLOGOUS"},
    ),
    ("该试验由北京协和医院发起。", "sponsor", {"name": "北京协和医院"}),
]


@pytest.mark.parametrize(("text", "kind", "claimed"), ZH_CASES)
def test_chinese_sentences(text, kind, claimed):
    assert one(text, "zh-hans", kind) == [claimed]


EN_CASES = [
    ("The trial is recruiting.", "status", {"status": "RECRUITING"}),
    ("It is not yet recruiting.", "status", {"status": "NOT_YET_RECRUITING"}),
    ("The trial is currently evaluating the treatment.", "status", {"status_group": "ONGOING"}),
    (
        "It is expected to be completed in January 2022.",
        "completion_date",
        {"date": "2022-01", "date_type": EST},
    ),
    (
        "It was originally planned to finish in December 2011.",
        "completion_date",
        {"date": "2011-12", "date_type": EST},
    ),
    (
        "The study ended in March 2019.",
        "completion_date",
        {"date": "2019-03", "date_type": "ACTUAL"},
    ),
    (
        "It is expected to start recruiting in November 2018.",
        "start_date",
        {"date": "2018-11", "date_type": EST},
    ),
    ("No results have been posted.", "results", {"results_posted": False}),
    ("Results have not yet been published.", "results", {"results_posted": False}),
    ("It will enrol up to 20 patients.", "enrollment", {"count": 20, "enrollment_type": EST}),
    (
        "The study enrolled 48 participants.",
        "enrollment",
        {"count": 48, "enrollment_type": "ACTUAL"},
    ),
    ("This is an open-label phase I/II trial.", "phase", {"phases": ["PHASE1", "PHASE2"]}),
    ("A phase 3 study.", "phase", {"phases": ["PHASE3"]}),
    (
        "Patients are treated at one site in the Netherlands.",
        "location",
        {"countries": ["Netherlands"], "site_count": 1},
    ),
    (
        "The trial is being conducted in China.",
        "location",
        {"countries": ["China"], "site_count": None},
    ),
    ("A French trial is testing it.", "location", {"countries": ["France"], "site_count": None}),
    (
        "This randomised, double-blind trial uses a placebo.",
        "design",
        {"allocation": "RANDOMIZED", "masking": "DOUBLE"},
    ),
    ("It is an open-label study.", "design", {"masking": "NONE"}),
    (
        "The trial is evaluating the cells in 30 adult patients.",
        "enrollment",
        {"count": 30, "enrollment_type": EST},
    ),
    ("Patients receive allogeneic stem cells.", "intervention", {"origin": "ALLOGENEIC"}),
    (
        "Patients receive injections of autologous fat.",
        "intervention",
        {"source": "adipose", "origin": "AUTOLOGOUS"},
    ),
    ("Cells are derived from umbilical cord tissue.", "intervention", {"source": "umbilical cord"}),
    (
        "The trial is sponsored by Assistance Publique, Paris.",
        "sponsor",
        {"name": "Assistance Publique"},
    ),
]


@pytest.mark.parametrize(("text", "kind", "claimed"), EN_CASES)
def test_english_sentences(text, kind, claimed):
    assert one(text, "en", kind) == [claimed]


def test_english_seed_paragraph_in_translation():
    paragraph = (
        "A French open-label phase I/II trial (NCT02213705) is recruiting up to 20 patients "
        "with systemic sclerosis to test allogeneic stem cells. It is expected to be completed "
        "in January 2022; no results have been posted."
    )
    found = extract_statements([paragraph], language="en")
    assert [(s.kind, s.claimed) for s in found] == [
        ("location", {"countries": ["France"], "site_count": None}),
        ("design", {"masking": "NONE"}),
        ("phase", {"phases": ["PHASE1", "PHASE2"]}),
        ("status", {"status": "RECRUITING"}),
        ("enrollment", {"count": 20, "enrollment_type": EST}),
        ("intervention", {"origin": "ALLOGENEIC"}),
        ("completion_date", {"date": "2022-01", "date_type": EST}),
        ("results", {"results_posted": False}),
    ]
    for s in found:
        assert s.nct_id == "NCT02213705"
        assert paragraph[s.start : s.end] == s.claim_text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("硬皮病是一种自身免疫性疾病。", "zh-hans"),
        ("2016年，试验结果发表在《干细胞研究》杂志上。", "zh-hans"),
        ("3例由于硬皮病引起的间质性肺病的患者肺功能也显着改善。", "zh-hans"),
        ("在中国，硬皮病患者很多。", "zh-hans"),
        ("Scleroderma is an autoimmune disease.", "en"),
        ("In January 2018, the researchers met in Paris.", "en"),
        ("Skin scores improved in 3 patients after a year.", "en"),
        ("这是一种开放的态度。", "zh-hans"),
    ],
)
def test_sentences_without_claims_yield_nothing(text, language):
    assert one(text, language) == []


@pytest.mark.parametrize(
    ("text", "language"),
    [("2018年1月，该试验研究了局部注射。", "zh-hans"), ("In December 2011 the team met.", "en")],
)
def test_date_without_verb_is_not_a_date_claim(text, language):
    assert one(text, language, "completion_date") == []
    assert one(text, language, "start_date") == []


def test_completion_of_recruitment_is_not_trial_completion():
    assert one("该试验预计于2020年6月完成招募。", "zh-hans", "completion_date") == []


def test_sentence_trial_wins_over_paragraph_and_carried_trial():
    found = extract_statements(
        [
            "一项试验（NCT00000001）正在招募。",
            "另一项试验（NCT00000002）已提前终止。此试验在中国进行招募（NCT00000003）。原计划2011年12月完成。",
        ],
        language="zh-hans",
    )
    assert [(s.paragraph, s.nct_id, s.kind) for s in found] == [
        (0, "NCT00000001", "status"),
        (1, "NCT00000002", "status"),
        (1, "NCT00000003", "status"),
        (1, "NCT00000003", "location"),
        (1, "NCT00000003", "completion_date"),
    ]


def test_paragraph_trial_cited_later_in_the_paragraph():
    found = extract_statements(["法国一项试验正在招募。详见NCT00000009。"], language="zh-hans")
    assert {s.nct_id for s in found} == {"NCT00000009"}
    assert {s.kind for s in found} == {"location", "status"}


def test_impossible_date_is_dropped():
    assert one("该试验预计将于2022年13月完成。", "zh-hans", "completion_date") == []


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        extract_statements(["x"], language="fr")


def test_no_paragraphs_no_statements():
    assert extract_statements([], language="en") == []


def test_full_width_and_lower_case_nct_numbers_are_cited():
    found = extract_statements(
        ["试验（ＮＣＴ０００００００９）正在招募。另见nct00000008。"], language="zh-hans"
    )
    assert [(s.nct_id, s.kind) for s in found] == [("NCT00000009", "status")]


@pytest.mark.parametrize(
    ("text", "language", "claimed"),
    [
        ("试验在中国台湾的三个中心开展。", "zh-hans", {"countries": ["Taiwan"], "site_count": 3}),
        (
            "试验在美國的两个中心开展。",
            "zh-hans",
            {"countries": ["United States"], "site_count": 2},
        ),
        (
            "Patients are treated at two sites in the UK.",
            "en",
            {"countries": ["United Kingdom"], "site_count": 2},
        ),
    ],
)
def test_country_names_and_number_words_from_the_shared_vocabulary(text, language, claimed):
    assert one(text, language, "location") == [claimed]
