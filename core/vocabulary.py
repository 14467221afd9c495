"""The registry's words for trial phases, and the small numbers prose writes as words.

A brochure says "I/II期", "Ⅱ期", "phase 2/3" or "二期"; the registry says `PHASE1`, `PHASE2`;
the card shows "I/II期" or "Phase 1/2" (labels in `trials.labels`, in gettext). A criterion
says "at least two years", a brochure "在三家医院". Extraction, the finder and the labels read
these tables instead of keeping their own.
"""

from __future__ import annotations

PHASES = ("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA")
NUMBERED_PHASES = {"PHASE1": 1, "PHASE2": 2, "PHASE3": 3, "PHASE4": 4}
ROMAN_NUMERALS = {1: "I", 2: "II", 3: "III", 4: "IV"}
_ROMAN_CHARACTERS = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}

# The words criteria and brochures use (ages, durations, sites); each alternative costs time in
# the finder's patterns, run over every registry record, so words nobody writes stay out.
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


def number_words(language: str, *, up_to: int | None = None) -> dict[str, int]:
    """The number words of `language` ("en", "zh-hans"), those up to `up_to` when given."""
    chinese = language.lower().startswith("zh")
    return {
        word: value
        for word, value in NUMBER_WORDS.items()
        if word.isascii() != chinese and (up_to is None or value <= up_to)
    }


def phase_numerals() -> dict[str, str]:
    """Every way a phase number is written → its registry value: "I", "Ⅰ", "1", "一" → PHASE1.

    Latin numerals in capitals; callers that read lower-case text upper-case it first.
    """
    chinese = {value: word for word, value in number_words("zh").items() if word != "两"}
    table = {}
    for phase, number in NUMBERED_PHASES.items():
        for numeral in (ROMAN_NUMERALS[number], _ROMAN_CHARACTERS[number], str(number)):
            table[numeral] = phase
        table[chinese[number]] = phase
    return table


def roman_phase(phase: str) -> str | None:
    """ "II" for PHASE2; None for a value without a number (EARLY_PHASE1, NA, unknown)."""
    number = NUMBERED_PHASES.get(phase)
    return ROMAN_NUMERALS[number] if number else None
