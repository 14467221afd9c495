"""What a patient or carer told the finder, as one immutable value.

It lives only for the request: nothing here is stored or logged unless the person asks
to save it (issue 6, privacy). Every field is optional because every question is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DIAGNOSES = ("diffuse", "limited", "overlap", "morphea", "unsure")
ORGANS = ("ild", "digital_ulcers", "raynaud", "pah", "kidney", "heart", "gut")
TREATMENTS = (
    "cyclophosphamide",
    "mycophenolate",
    "methotrexate",
    "rituximab",
    "nintedanib",
    "tocilizumab",
    "hsct",
    "glucocorticoids",
    "azathioprine",
    "pirfenidone",
)


@dataclass(frozen=True)
class Patient:
    age: int | None = None
    sex: str | None = None  # "FEMALE" or "MALE", as the registry spells it
    diagnosis: str | None = None  # one of DIAGNOSES
    years_since_diagnosis: float | None = None
    organs: frozenset[str] = field(default_factory=frozenset)  # subset of ORGANS
    mrss: int | None = None  # modified Rodnan skin score, 0–51
    fvc_percent: float | None = None  # forced vital capacity, % predicted
    dlco_percent: float | None = None  # diffusing capacity, % predicted
    current_treatments: frozenset[str] = field(default_factory=frozenset)  # subset of TREATMENTS
    past_treatments: frozenset[str] = field(default_factory=frozenset)  # subset of TREATMENTS
    pregnant: bool | None = None
    city: str = ""  # as typed: "成都", "四川省成都市", "Seoul"
    country: str = ""  # "" means China
    max_distance_km: float | None = None
    text: str = ""  # free-text case description, Chinese or English

    @property
    def treatments(self) -> frozenset[str]:
        return self.current_treatments | self.past_treatments
