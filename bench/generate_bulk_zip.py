"""Make a registry-style bulk download (`ctg-studies.json.zip`) of N studies for benchmarks.

Each study is a real API v2 record from `trials/tests/fixtures/api-v2/studies/` cloned under a
new NCT number (NCT9xxxxxxx, a range the registry does not use) with varied status, dates,
enrolment and conditions, so an import does real work on every record.

    .venv/bin/python bench/generate_bulk_zip.py 600000 var/bench/ctg-studies.json.zip
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import zipfile
from pathlib import Path

SOURCES = (
    Path(__file__).resolve().parents[1] / "trials" / "tests" / "fixtures" / "api-v2" / "studies"
)
SKIP = {"NCT02278341.json", "study_data_initialize.json"}
STATUSES = [
    "RECRUITING",
    "NOT_YET_RECRUITING",
    "COMPLETED",
    "ACTIVE_NOT_RECRUITING",
    "UNKNOWN",
    "TERMINATED",
]
CONDITIONS = [
    "Systemic Sclerosis",
    "Scleroderma",
    "Raynaud Disease",
    "Interstitial Lung Disease",
    "Lupus",
]


def templates() -> list[dict]:
    studies = []
    for path in sorted(SOURCES.iterdir()):
        if path.name in SKIP or not path.name.startswith("NCT"):
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            study = json.load(handle)
        study.pop("resultsSection", None)
        studies.append(study)
    return studies


def clone(template: dict, number: int, rng: random.Random) -> dict:
    """A copy of `template` under a new NCT number with varied fields.

    Only the dictionaries on the way to a changed value are copied; the rest is shared with
    the template (and never changed), which makes generating 600,000 studies take minutes
    rather than the better part of an hour with `copy.deepcopy`.
    """
    study = dict(template)
    protocol = study["protocolSection"] = dict(template["protocolSection"])
    nct_id = f"NCT9{number:07d}"
    protocol["identificationModule"] = {**protocol["identificationModule"], "nctId": nct_id}
    status = protocol["statusModule"] = dict(protocol.get("statusModule", {}))
    status["overallStatus"] = rng.choice(STATUSES)
    year = rng.randint(2005, 2027)
    status["startDateStruct"] = {"date": f"{year}-{rng.randint(1, 12):02d}", "type": "ACTUAL"}
    status["completionDateStruct"] = {
        "date": f"{year + rng.randint(1, 5)}-{rng.randint(1, 12):02d}",
        "type": "ESTIMATED",
    }
    design = protocol["designModule"] = dict(protocol.get("designModule", {}))
    design["enrollmentInfo"] = {
        "count": rng.randint(5, 2000),
        "type": rng.choice(["ESTIMATED", "ACTUAL"]),
    }
    conditions = protocol["conditionsModule"] = dict(protocol.get("conditionsModule", {}))
    conditions["conditions"] = rng.sample(CONDITIONS, k=rng.randint(1, 3))
    return study


def generate(count: int, out: Path, *, seed: int = 1) -> Path:
    rng = random.Random(seed)
    bases = templates()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for number in range(count):
            study = clone(bases[number % len(bases)], number, rng)
            info = zipfile.ZipInfo(f"NCT9{number:07d}.json", date_time=(2026, 8, 11, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, json.dumps(study, ensure_ascii=False), compresslevel=1)
            if number and number % 50000 == 0:
                print(f"{number} studies written", file=sys.stderr)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    generate(args.count, args.out, seed=args.seed)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
