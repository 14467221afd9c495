"""A small medical synonym table, Chinese ↔ English, so a Chinese query finds English records.

Each concept becomes one index token (``xx`` + its key) wherever any of its words appear, in
the registry text at index time and in the patient's words at query time; matching concepts
rather than words is what lets "硬皮病 干细胞" find "Mesenchymal Stem Cells for Systemic
Sclerosis".

Sources:
- Chinese and English disease and treatment words: the project's domain notes
  (``shared/docs/domain.md``, "The disease and its words"), which the organisation's volunteers
  checked; drug names there are the Chinese generic names (通用名).
- English variants (inverted MeSH-style headings such as "Scleroderma, Systemic" or
  "Lung Diseases, Interstitial", and acronyms) as the registry's own ``condition`` and
  ``keyword`` fields write them in the bundled real records (``demo/data/trials/``,
  ``shared/data/ctgov/legacy-xml/``).
A word is added here only when it names the same thing; a narrower concept may list the broader
one in ``implies`` (every MSC trial is a stem-cell trial, not the reverse).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

CONCEPT_PREFIX = "xx"


@dataclass(frozen=True)
class Concept:
    key: str
    label: object  # lazy translated label, shown in "why it is here"
    zh: tuple[str, ...]
    en: tuple[str, ...]
    implies: tuple[str, ...] = field(default=())

    @property
    def is_condition(self) -> bool:
        """A disease or organ problem (what a trial is *about*), not a treatment."""
        return self.key in CONDITION_KEYS

    @property
    def token(self) -> str:
        return CONCEPT_PREFIX + self.key.replace("_", "")


CONCEPTS: tuple[Concept, ...] = (
    Concept(
        "ssc",
        _("systemic sclerosis (scleroderma)"),
        zh=("硬皮病", "系统性硬化症", "系统性硬化病", "系统性硬皮病", "系统性硬化"),
        en=(
            "systemic sclerosis",
            "scleroderma",
            "systemic scleroderma",
            "scleroderma systemic",
            "progressive systemic sclerosis",
            "ssc",
            "dcssc",
            "lcssc",
            "crest syndrome",
        ),
    ),
    Concept(
        "morphea",
        _("morphea (localised scleroderma)"),
        zh=("硬斑病", "局限性硬皮病"),
        en=(
            "morphea",
            "morphoea",
            "localized scleroderma",
            "localised scleroderma",
            "scleroderma circumscribed",
            "circumscribed scleroderma",
        ),
    ),
    Concept(
        "ild",
        _("interstitial lung disease"),
        zh=(
            "间质性肺病",
            "间质性肺疾病",
            "肺间质病变",
            "肺间质纤维化",
            "肺纤维化",
            "间质性肺炎",
            "肺间质",
        ),
        en=(
            "interstitial lung disease",
            "lung diseases interstitial",
            "lung disease interstitial",
            "ild",
            "ssc-ild",
            "pulmonary fibrosis",
            "lung fibrosis",
            "interstitial pneumonia",
        ),
    ),
    Concept(
        "pah",
        _("pulmonary arterial hypertension"),
        zh=("肺动脉高压", "肺高压"),
        en=(
            "pulmonary arterial hypertension",
            "pulmonary hypertension",
            "hypertension pulmonary",
            "pah",
        ),
    ),
    Concept(
        "raynaud",
        _("Raynaud's phenomenon"),
        zh=("雷诺现象", "雷诺病", "雷诺综合征", "雷诺"),
        en=("raynaud", "raynauds", "raynaud's", "raynaud phenomenon", "raynaud disease"),
    ),
    Concept(
        "digital_ulcer",
        _("digital ulcers"),
        zh=("指端溃疡", "指尖溃疡", "手指溃疡", "指溃疡"),
        en=("digital ulcer", "digital ulcers", "fingertip ulcer", "finger ulcer"),
    ),
    Concept(
        "renal",
        _("kidney involvement"),
        zh=("硬皮病肾危象", "肾危象", "肾脏受累", "肾损害"),
        en=("renal crisis", "scleroderma renal crisis", "kidney involvement", "renal involvement"),
    ),
    Concept(
        "heart",
        _("heart involvement"),
        zh=("心脏受累", "心肌受累", "心肌纤维化"),
        en=("cardiac involvement", "heart involvement", "myocardial fibrosis"),
    ),
    Concept(
        "gut",
        _("gut involvement"),
        zh=("胃肠道受累", "胃肠受累", "消化道受累", "胃食管反流", "吞咽困难"),
        en=(
            "gastrointestinal involvement",
            "gastrointestinal",
            "gastroesophageal reflux",
            "gastro-oesophageal reflux",
            "dysphagia",
        ),
    ),
    Concept(
        "skin",
        _("skin thickening"),
        zh=("皮肤硬化", "皮肤增厚", "皮肤纤维化", "改良rodnan皮肤评分", "皮肤评分"),
        en=("skin thickening", "skin fibrosis", "skin score", "rodnan", "mrss"),
    ),
    Concept(
        "stem_cell",
        _("stem cells"),
        zh=("干细胞",),
        en=("stem cell", "stem cells"),
    ),
    Concept(
        "msc",
        _("mesenchymal stem cells"),
        zh=("间充质干细胞", "间充质基质细胞", "间质干细胞", "间充质"),
        en=(
            "mesenchymal stem cell",
            "mesenchymal stromal cell",
            "mesenchymal stem cells",
            "mesenchymal stromal cells",
            "mesenchymal",
            "msc",
            "mscs",
            "admsc",
            "admscs",
        ),
        implies=("stem_cell",),
    ),
    Concept(
        "hsct",
        _("stem cell transplant"),
        zh=("造血干细胞移植", "自体造血干细胞移植", "骨髓移植"),
        en=(
            "hematopoietic stem cell transplantation",
            "haematopoietic stem cell transplantation",
            "hematopoietic stem cell transplant",
            "autologous stem cell transplantation",
            "autologous stem cell transplant",
            "bone marrow transplantation",
            "hsct",
            "ahsct",
        ),
        implies=("stem_cell",),
    ),
    Concept(
        "svf",
        _("fat-derived cells (stromal vascular fraction)"),
        zh=("血管基质组分", "脂肪来源", "自体脂肪", "脂肪组织", "脂肪移植"),
        en=(
            "stromal vascular fraction",
            "svf",
            "adipose",
            "adipose tissue",
            "adipose-derived",
            "fat grafting",
            "lipofilling",
        ),
    ),
    Concept(
        "cart",
        _("CAR-T cell therapy"),
        zh=("car-t细胞疗法", "car-t", "cart细胞"),
        en=("car-t", "car t", "chimeric antigen receptor"),
    ),
    Concept(
        "plasma_exchange",
        _("plasma exchange"),
        zh=("血浆置换", "血浆净化"),
        en=("plasma exchange", "plasmapheresis"),
    ),
    Concept(
        "cyclophosphamide",
        _("cyclophosphamide"),
        zh=("环磷酰胺",),
        en=("cyclophosphamide", "cytoxan"),
    ),
    Concept(
        "mycophenolate",
        _("mycophenolate"),
        zh=("吗替麦考酚酯", "霉酚酸酯", "麦考酚"),
        en=("mycophenolate", "mycophenolate mofetil", "mmf", "cellcept"),
    ),
    Concept(
        "methotrexate",
        _("methotrexate"),
        zh=("甲氨蝶呤",),
        en=("methotrexate", "mtx"),
    ),
    Concept(
        "rituximab",
        _("rituximab"),
        zh=("利妥昔单抗",),
        en=("rituximab",),
    ),
    Concept(
        "tocilizumab",
        _("tocilizumab"),
        zh=("托珠单抗",),
        en=("tocilizumab",),
    ),
    Concept(
        "nintedanib",
        _("nintedanib"),
        zh=("尼达尼布",),
        en=("nintedanib",),
    ),
    Concept(
        "pirfenidone",
        _("pirfenidone"),
        zh=("吡非尼酮",),
        en=("pirfenidone",),
    ),
    Concept(
        "iloprost",
        _("iloprost"),
        zh=("伊洛前列素",),
        en=("iloprost",),
    ),
    Concept(
        "placebo",
        _("placebo-controlled"),
        zh=("安慰剂",),
        en=("placebo",),
    ),
)

CONDITION_KEYS = frozenset(
    {"ssc", "morphea", "ild", "pah", "raynaud", "digital_ulcer", "renal", "heart", "gut", "skin"}
)
BY_KEY = {concept.key: concept for concept in CONCEPTS}
BY_TOKEN = {concept.token: concept for concept in CONCEPTS}

# Patient answers that name an SSc-typical organ problem, as concepts a search may look for.
ORGAN_CONCEPTS = {
    "ild": "ild",
    "digital_ulcers": "digital_ulcer",
    "raynaud": "raynaud",
    "pah": "pah",
    "kidney": "renal",
    "heart": "heart",
    "gut": "gut",
}
# Organ problems specific enough to SSc that a trial about them alone may still fit the patient.
ORGAN_CONCEPTS_WIDENING = ("ild", "pah", "raynaud", "digital_ulcer")
