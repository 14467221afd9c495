from core.vocabulary import PHASES, number_words, phase_numerals, roman_phase


def test_number_words_by_language_and_size():
    assert number_words("en", up_to=3) == {"one": 1, "two": 2, "three": 3}
    zh = number_words("zh-hans", up_to=10)
    assert zh["两"] == zh["二"] == 2 and zh["十"] == 10
    assert not any(word.isascii() for word in zh)
    assert number_words("en")["sixty"] == 60
    assert number_words("en")["eighteen"] == 18


def test_phase_numerals_in_every_script():
    numerals = phase_numerals()
    for written in ("I", "Ⅰ", "1", "一"):
        assert numerals[written] == "PHASE1"
    for written in ("IV", "Ⅳ", "4", "四"):
        assert numerals[written] == "PHASE4"
    assert "两" not in numerals
    assert set(numerals.values()) <= set(PHASES)


def test_roman_phase_only_for_numbered_phases():
    assert [roman_phase(p) for p in PHASES] == [None, "I", "II", "III", "IV", None]
