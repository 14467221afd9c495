"""The Chinese catalogues: one per app (ADR 0007), complete, and safe to format.

A missing translation shows English to a Chinese-reading editor; a translation that drops or
renames a `%(name)s` placeholder raises at run time, in front of a reader.
"""

import re
import tomllib
from pathlib import Path

import polib
from django.conf import settings

BASE = Path(settings.BASE_DIR)
# Every root package of the layer contract but config, whose strings are in the root catalogue.
APPS = [
    package
    for package in tomllib.loads((BASE / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]["root_packages"]
    if package != "config"
]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def _catalogues() -> list[Path]:
    return sorted(BASE.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")) + [
        BASE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    ]


def test_every_app_has_its_own_catalogue():
    owners = sorted(path.parts[-5] for path in BASE.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
    assert owners == sorted(APPS)


def test_every_string_is_translated():
    problems = []
    for path in _catalogues():
        catalogue = polib.pofile(str(path))
        problems += [
            f"{path.relative_to(BASE)}: {e.msgid!r}" for e in catalogue.untranslated_entries()
        ]
        problems += [
            f"{path.relative_to(BASE)} (fuzzy): {e.msgid!r}" for e in catalogue.fuzzy_entries()
        ]
    assert problems == []


def test_translations_keep_their_placeholders():
    problems = []
    for path in _catalogues():
        for entry in polib.pofile(str(path)).translated_entries():
            wanted = sorted(PLACEHOLDER.findall(entry.msgid))
            translations = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
            for text in translations:
                found = sorted(PLACEHOLDER.findall(text))
                named = [name for name in wanted if name]
                if sorted(name for name in found if name) != named:
                    problems.append(f"{path.relative_to(BASE)}: {entry.msgid!r} → {text!r}")
    assert problems == []
