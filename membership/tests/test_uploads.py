"""Proof uploads are judged by content and rebuilt; hostile files are refused without harm."""

import io
import time
import tracemalloc
from contextlib import contextmanager

import pytest
from django.utils import translation
from PIL import Image

from membership import uploads
from membership.uploads import ProofRejected, clean_proof

from . import samples


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@contextmanager
def traced_peak():
    """Yields a dict that holds, afterwards, the peak of Python allocations inside the block."""
    result = {}
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        yield result
    finally:
        result["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def test_jpeg_is_reencoded_without_exif_gps_comment_or_orientation_tag():
    original = samples.jpeg_bytes((640, 480), exif_gps=True)
    assert samples.MARKER in original and b"PhoneMaker" in original

    clean = clean_proof(original)

    assert clean.content_type == "image/jpeg" and clean.extension == "jpg"
    assert clean.content != original
    assert samples.MARKER not in clean.content and b"PhoneMaker" not in clean.content
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "icc_profile" not in image.info and "comment" not in image.info
        # The EXIF orientation (rotate 90°) was applied to the pixels before it was dropped.
        assert image.size == (480, 640)


def test_png_keeps_pixels_and_loses_text_chunks():
    original = samples.png_bytes(text_chunk=b"<?php system($_GET['c']); ?>")
    clean = clean_proof(original)
    assert clean.content_type == "image/png"
    assert b"<?php" not in clean.content and b"tEXt" not in clean.content
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.size == (300, 200)
        assert image.getpixel((5, 5))[:3] == (10, 100, 200)


def test_type_comes_from_content_not_name():
    # A PNG is a PNG whatever the browser or the name says; the stored type follows the bytes.
    clean = clean_proof(samples.png_bytes())
    assert clean.content_type == "image/png"
    with pytest.raises(ProofRejected, match="not a PDF, JPEG or PNG"):
        clean_proof(samples.SVG_WITH_SCRIPT)


@pytest.mark.parametrize(
    "data",
    [
        samples.SVG_WITH_SCRIPT,
        samples.HTML_PAGE,
        samples.GIF_IMAGE,
        b"PK\x03\x04zipfile",
        b"MZ\x90",
    ],
    ids=["svg-with-script", "html", "gif", "zip", "exe"],
)
def test_anything_but_pdf_jpeg_png_is_refused(data):
    with pytest.raises(ProofRejected):
        clean_proof(data)


def test_jpeg_polyglot_loses_its_payload():
    payload = b"<html><script>alert(1)</script></html>PK\x03\x04 hidden zip"
    clean = clean_proof(samples.jpeg_bytes() + payload)
    assert b"<script>" not in clean.content and b"PK\x03\x04" not in clean.content


def test_jpeg_header_on_html_is_refused():
    with pytest.raises(ProofRejected, match="could not be read"):
        clean_proof(b"\xff\xd8\xff\xe0" + samples.HTML_PAGE)


@pytest.mark.parametrize("make", [samples.jpeg_bytes, samples.png_bytes], ids=["jpeg", "png"])
def test_truncated_images_are_refused(make):
    data = make()
    with pytest.raises(ProofRejected, match="damaged or incomplete"):
        clean_proof(data[: len(data) // 2])


def test_pixel_bomb_is_refused_before_decoding():
    bomb = samples.png_pixel_bomb()
    assert len(bomb) < 200_000
    with traced_peak() as memory, pytest.raises(ProofRejected, match="too many pixels"):
        clean_proof(bomb)
    assert memory["peak"] < 20 * 1024 * 1024


def test_huge_photo_is_scaled_down():
    clean = clean_proof(samples.jpeg_bytes((6000, 4000)))
    with Image.open(io.BytesIO(clean.content)) as image:
        assert max(image.size) <= uploads.MAX_IMAGE_EDGE


def test_oversized_file_is_refused():
    with pytest.raises(ProofRejected, match="larger than 10 MB"):
        clean_proof(b"%PDF-" + b"0" * uploads.MAX_UPLOAD_BYTES)


def test_real_pdf_is_rebuilt_without_metadata_or_appended_bytes():
    original = samples.certificate_pdf() + b"<html><script>alert(1)</script></html>"
    clean = clean_proof(original)
    assert clean.content_type == "application/pdf"
    assert b"<script>" not in clean.content and b"WeasyPrint" not in clean.content
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(clean.content))
    assert len(reader.pages) == 1
    assert "系统性硬化症" in reader.pages[0].extract_text()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            samples.simple_pdf(
                page_extra=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] "
                b"/A << /S /Launch /F (cmd.exe) >> >>]"
            ),
            "start other programs",
        ),
        (samples.pdf_with_attachment(), "other files attached"),
        (samples.encrypted_pdf(), "password"),
        (samples.pdf_with_pages(11), "more than 10 pages"),
    ],
    ids=["launch", "attachment", "encrypted", "11-pages"],
)
def test_dangerous_pdfs_are_refused(data, message):
    with pytest.raises(ProofRejected, match=message):
        clean_proof(data)


def active_parts(content: bytes) -> set[str]:
    """Every action, script, link, form or annotation key left anywhere in a PDF."""
    import pikepdf

    found = set()
    with pikepdf.open(io.BytesIO(content)) as pdf:
        for value in pdf.objects:
            if isinstance(value, pikepdf.Dictionary | pikepdf.Stream):
                found |= set(value.keys()) & {
                    "/Annots",
                    "/URI",
                    "/JavaScript",
                    "/JS",
                    "/OpenAction",
                    "/AA",
                    "/AcroForm",
                    "/A",
                }
                if value.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.URI):
                    found.add(str(value.get("/S")))
    return found


@pytest.mark.parametrize(
    "data",
    [
        samples.pdf_with_link_and_script(),
        samples.simple_pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        samples.simple_pdf(page_extra=b"/AA << /O << /S /URI /URI (http://x) >> >>"),
    ],
    ids=["uri-link-and-javascript", "open-action-javascript", "page-additional-actions"],
)
def test_links_scripts_and_actions_are_stripped_from_stored_pdfs(data):
    assert active_parts(data)
    clean = clean_proof(data)
    assert clean.content_type == "application/pdf"
    assert active_parts(clean.content) == set()
    assert b"evil.example" not in clean.content and b"app.alert" not in clean.content
    from pypdf import PdfReader

    assert "systemic sclerosis" in PdfReader(io.BytesIO(clean.content)).pages[0].extract_text()


def test_ten_pages_are_accepted():
    assert clean_proof(samples.pdf_with_pages(10)).content_type == "application/pdf"


@pytest.mark.parametrize(
    "make",
    [samples.flate_bomb_pdf, samples.huge_length_pdf, samples.deeply_nested_pdf],
    ids=["flate-bomb", "huge-length", "deeply-nested"],
)
def test_pdf_bombs_are_refused_quickly_without_memory_in_the_server(make):
    bomb = make()
    assert len(bomb) < 2 * 1024 * 1024
    started = time.monotonic()
    with traced_peak() as memory, pytest.raises(ProofRejected):
        clean_proof(bomb)
    assert time.monotonic() - started < uploads.CHECK_TIMEOUT_SECONDS
    assert memory["peak"] < 3 * len(bomb) + 5 * 1024 * 1024


def test_truncated_pdf_is_refused():
    data = samples.certificate_pdf()
    with pytest.raises(ProofRejected):
        clean_proof(data[:200])
