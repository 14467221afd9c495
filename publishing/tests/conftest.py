"""Test setup for publishing outputs: the real demo, a private cache folder, no network."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from handbook.models import HandbookPage
from tests.network import NetworkBlocked  # noqa: F401  (tests import it from here)


@pytest.fixture(autouse=True)
def cache_dir(settings, tmp_path):
    settings.PUBLISHING_CACHE_DIR = tmp_path / "publishing-cache"
    return settings.PUBLISHING_CACHE_DIR


@pytest.fixture
def demo(db, monkeypatch):
    """The demo handbook (the MSC page, its four trials, the organisation) as `make demo` has it."""
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "demo-password-for-tests")
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return HandbookPage.objects.get(locale__language_code="zh-hans", title="间充质干细胞")


def pdf_text(path, first: int | None = None, last: int | None = None) -> str:
    """The PDF's text as poppler's pdftotext reads it (pypdf when poppler is missing)."""
    if shutil.which("pdftotext"):
        command = ["pdftotext", "-layout", "-enc", "UTF-8"]
        if first:
            command += ["-f", str(first), "-l", str(last or first)]
        return subprocess.run(  # noqa: S603 (a fixed command on a test file)
            [*command, str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
    pages = PdfReader(path).pages
    chosen = pages[(first or 1) - 1 : (last or first or len(pages))]
    return "\n".join(page.extract_text() for page in chosen)


def embedded_fonts(path) -> set[str]:
    """Base names of the fonts embedded in the PDF (subset prefixes removed)."""
    names = set()
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            fonts_to_check = [font] + [
                descendant.get_object() for descendant in font.get("/DescendantFonts", [])
            ]
            for item in fonts_to_check:
                descriptor = item.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(item["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names
