from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from core.identifiers import (
    REGISTRIES,
    TrialId,
    TrialIdValidator,
    find_all,
    find_nct_ids,
    is_canonical,
    nct_validator,
    normalise_nct_id,
    parse,
    replace_all,
)

REAL_IDS = [
    line
    for line in (Path(__file__).parent / "data" / "ictrp_trial_ids.txt").read_text().splitlines()
    if line and not line.startswith("#")
]


@pytest.mark.parametrize("value", REAL_IDS)
def test_every_real_identifier_reads_back_as_itself(value):
    trial_id = parse(value)
    assert trial_id is not None
    assert str(trial_id) == value
    assert is_canonical(value)


@pytest.mark.parametrize("value", REAL_IDS)
def test_case_does_not_matter_the_registrys_spelling_comes_back(value):
    assert parse(value.lower()).value == value
    assert parse(value.upper()).value == value


def test_the_fixture_covers_every_registry_in_the_table():
    assert {parse(value).registry for value in REAL_IDS} == set(REGISTRIES)


@pytest.mark.parametrize(
    ("typed", "registry", "value"),
    [
        ("NCT00962923", "NCT", "NCT00962923"),
        (" nct00962923\n", "NCT", "NCT00962923"),
        ("NCT 0096 2923", "NCT", "NCT00962923"),
        ("ＮＣＴ００９６２９２３", "NCT", "NCT00962923"),
        ("ChiCTR2000030256", "ChiCTR", "ChiCTR2000030256"),
        ("chictr-ior-17011234", "ChiCTR", "ChiCTR-IOR-17011234"),
        ("ChiCTR-TRC-12002006", "ChiCTR", "ChiCTR-TRC-12002006"),
        ("ChiCTR-OOC-16010275", "ChiCTR", "ChiCTR-OOC-16010275"),
        ("ChiCTR－IOR－17011234", "ChiCTR", "ChiCTR-IOR-17011234"),
        ("EUCTR2015-003040-12-nl", "EUCTR", "EUCTR2015-003040-12-NL"),
        ("EUCTR2015-003040-12", "EUCTR", "EUCTR2015-003040-12"),
        ("jprn-jrcts031190226", "JPRN", "JPRN-jRCTs031190226"),
        ("RBR-8969ZG", "RBR", "RBR-8969zg"),
    ],
)
def test_parse_normalises_what_people_type(typed, registry, value):
    assert parse(typed) == TrialId(registry, value)


@pytest.mark.parametrize(
    "text",
    ["", "NCT0096292", "NCT009629231", "NCT00962923X", "XNCT00962923", "ChiCTR200003025", None, 42],
)
def test_parse_rejects_what_is_not_a_number(text):
    assert parse(text) is None


def test_parse_can_be_limited_to_registries():
    assert parse("ChiCTR2000030256", registries=("NCT",)) is None
    assert parse("nct00962923", registries=("NCT",)).value == "NCT00962923"
    with pytest.raises(ValueError, match="unknown registries: XYZ"):
        parse("NCT00962923", registries=("XYZ",))


def test_is_canonical_forgives_nothing():
    assert is_canonical("NCT00962923")
    assert not is_canonical("nct00962923")
    assert not is_canonical("NCT00962923 ")
    assert not is_canonical("ＮＣＴ００９６２９２３")


def test_urls_point_at_the_registry_or_at_ictrp():
    assert parse("NCT00962923").url == "https://clinicaltrials.gov/study/NCT00962923"
    assert parse("EUCTR2015-003040-12-NL").url == (
        "https://www.clinicaltrialsregister.eu/ctr-search/search?query=eudract_number:2015-003040-12"
    )
    assert parse("NL8483").url == "https://trialregister.nl/trial/8483"
    assert parse("ChiCTR2000030256").url == (
        "https://trialsearch.who.int/Trial2.aspx?TrialID=ChiCTR2000030256"
    )
    assert TrialId("ISRCTN", "ISRCTN14966673").url == "https://www.isrctn.com/ISRCTN14966673"


def test_find_all_in_chinese_and_english_text_with_spans():
    text = (
        "试验NCT00962923显示，另见（ChiCTR-IOR-17011234）与ＮＣＴ０２２１３７０５。See nct03211793."
    )
    found = find_all(text)
    assert [(m.trial_id.value, text[m.start : m.end]) for m in found] == [
        ("NCT00962923", "NCT00962923"),
        ("ChiCTR-IOR-17011234", "ChiCTR-IOR-17011234"),
        ("NCT02213705", "ＮＣＴ０２２１３７０５"),
        ("NCT03211793", "nct03211793"),
    ]


@pytest.mark.parametrize(
    "text", ["XNCT00962923", "NCT009629231", "NCT00962923a", "1NCT00962923", "ABCTR2000030256"]
)
def test_find_all_ignores_numbers_inside_longer_words(text):
    assert find_all(text) == []


def test_find_all_limited_to_nct_and_its_shortcuts():
    text = "NCT00962923, ChiCTR2000030256 and NCT00962923 again"
    assert find_nct_ids(text) == ["NCT00962923", "NCT00962923"]
    assert [m.trial_id.registry for m in find_all(text)] == ["NCT", "ChiCTR", "NCT"]


def test_replace_all_keeps_the_text_around():
    text = "见nct00962923和ChiCTR2000030256。"
    assert replace_all(text, lambda m: f"[{m.trial_id}]") == "见[NCT00962923]和[ChiCTR2000030256]。"
    assert replace_all(text, lambda m: "", registries=("NCT",)) == "见和ChiCTR2000030256。"


def test_normalise_nct_id_tidies_even_what_it_cannot_read():
    assert normalise_nct_id(" ｎｃｔ００９６２９２３ ") == "NCT00962923"
    assert normalise_nct_id(" nct 123 ") == "NCT123"


def test_nct_validator_accepts_only_the_canonical_nct_number():
    nct_validator("NCT00962923")
    for value in ("nct00962923", "ChiCTR2000030256", "NCT0096292", 12345678):
        with pytest.raises(ValidationError) as error:
            nct_validator(value)
        assert "NCT00962923" in error.value.messages[0]


def test_generic_validator_names_examples_and_deconstructs():
    validator = TrialIdValidator(registries=("NCT", "ChiCTR"))
    validator("ChiCTR2000030256")
    with pytest.raises(ValidationError) as error:
        validator("ISRCTN14966673")
    assert "NCT00962923, ChiCTR2000030256" in error.value.messages[0]
    path, args, kwargs = validator.deconstruct()
    assert path == "core.identifiers.TrialIdValidator"
    assert TrialIdValidator(*args, **kwargs) == validator
    assert validator != nct_validator
