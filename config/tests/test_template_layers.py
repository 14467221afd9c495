"""Templates follow the layers too: import-linter reads Python only, so a template of a lower
app that includes or extends one of a higher app (as the trial card once pulled freshness into
`trials/`) would pass it unseen. The order is read from the same contract in pyproject.toml."""

import re
import tomllib
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
TAG = re.compile(r"""{%\s*(?:include|extends)\s+["']([^"']+)["']""")


def _layers() -> dict[str, int]:
    config = tomllib.loads((BASE / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    rank = {}
    for height, layer in enumerate(reversed(contract["layers"])):
        for app in layer.split("|"):
            rank[app.strip()] = height
    return rank


def _wrong_way_includes(rank: dict[str, int]) -> list[str]:
    wrong = []
    for app, height in rank.items():
        for template in sorted((BASE / app / "templates").rglob("*.html")):
            for name in TAG.findall(template.read_text(encoding="utf-8")):
                target = name.split("/", 1)[0]
                if target in rank and rank[target] > height:
                    wrong.append(f"{template.relative_to(BASE)} → {name}")
    return wrong


def test_no_app_template_includes_a_higher_app():
    rank = _layers()
    assert rank["trials"] < rank["handbook"] < rank["publishing"]
    assert _wrong_way_includes(rank) == []


def test_the_check_sees_a_wrong_way_include(tmp_path, monkeypatch):
    monkeypatch.setattr("config.tests.test_template_layers.BASE", tmp_path, raising=True)
    (tmp_path / "trials" / "templates" / "trials").mkdir(parents=True)
    (tmp_path / "trials" / "templates" / "trials" / "_card.html").write_text(
        '{% include "freshness/_flags.html" %}{% include "trials/_ok.html" %}', encoding="utf-8"
    )
    assert _wrong_way_includes({"trials": 1, "freshness": 2}) == [
        "trials/templates/trials/_card.html → freshness/_flags.html"
    ]
