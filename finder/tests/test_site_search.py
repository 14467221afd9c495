"""`trials_matching`: the trials the public site search lists, read from the finder's index."""

from core.text import DOMAIN_WORDS
from finder.index_tokens import analyse
from finder.models import TrialIndexEntry
from finder.search import trials_matching
from finder.synonyms import CONCEPTS
from finder.tests.conftest import MSC_TRIALS


def _ids(matches):
    return [match.nct_id for match in matches]


def _tokens(nct_id):
    entry = TrialIndexEntry.objects.get(nct_id=nct_id)
    return set(entry.title_tokens.split()) | set(entry.body_tokens.split())


def test_every_synonym_word_is_in_the_segmenters_dictionary():
    missing = {word for concept in CONCEPTS for word in concept.zh} - set(DOMAIN_WORDS)
    assert missing == set()


def test_nct_number_finds_its_trial_only(registry):
    matches = trials_matching("NCT02213705")
    assert _ids(matches) == ["NCT02213705"]
    trial = registry.get(nct_id="NCT02213705")
    assert (matches[0].title, matches[0].status) == (trial.brief_title, trial.overall_status)
    assert trial.brief_title.startswith("Treatment of Refractory Sever Systemic Scleroderma")
    assert _ids(trials_matching("ｎｃｔ02213705")) == ["NCT02213705"]
    assert trials_matching("NCT99999999") == []


def test_nct_number_comes_first_then_the_words(registry):
    ids = _ids(trials_matching("NCT00000530 mesenchymal stem cells"))
    assert ids[0] == "NCT00000530"
    assert MSC_TRIALS <= set(ids[1:])


def test_every_word_must_be_in_the_record(registry):
    matches = trials_matching("mesenchymal stem cells", limit=50)
    asked = set(analyse("mesenchymal stem cells").tokens)
    assert MSC_TRIALS <= set(_ids(matches))
    assert all(asked <= _tokens(nct_id) for nct_id in _ids(matches))
    scores = [match.score for match in matches]
    assert scores == sorted(scores, reverse=True)


def test_when_no_record_has_every_word_half_of_them_will_do(registry):
    assert trials_matching("zebrafish") == []
    ids = _ids(trials_matching("scleroderma zebrafish", limit=50))
    assert ids and all("zebrafish" not in _tokens(nct_id) for nct_id in ids)
    assert all({"scleroderma", "xxssc"} & _tokens(nct_id) for nct_id in ids)


def test_a_chinese_query_reaches_english_records_through_the_synonyms(registry):
    ids = _ids(trials_matching("硬皮病 干细胞", limit=20))
    assert MSC_TRIALS <= set(ids)
    assert all({"xxssc", "xxstemcell"} <= _tokens(nct_id) for nct_id in ids[: len(MSC_TRIALS)])


def test_limit(registry):
    assert len(trials_matching("scleroderma", limit=3)) == 3


def test_a_word_naming_a_concept_also_finds_the_records_naming_it_otherwise(registry):
    ids = _ids(trials_matching("scleroderma", limit=100))
    assert all("xxssc" in _tokens(nct_id) for nct_id in ids)
    assert any("scleroderma" not in _tokens(nct_id) for nct_id in ids)
