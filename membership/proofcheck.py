"""Check and rebuild an uploaded proof in a separate, resource-limited process.

Run as `python -I membership/proofcheck.py --kind pdf|jpeg|png --max-pages N --max-bytes B`
with the upload on stdin. On success it writes the rebuilt file to stdout and exits 0;
otherwise it exits 2 and writes one reason word to stderr.

- JPEG and PNG are decoded with Pillow and encoded again: only the pixels survive (turned
  upright from the EXIF orientation, at most MAX_IMAGE_EDGE on a side), without EXIF, ICC,
  comments, text chunks or anything appended. Truncated files and pixel bombs are refused.
- PDF: every object is scanned and every stream decoded under limits; encrypted files, launch
  actions and attachments are refused. What is accepted is rebuilt from its pages only (no
  document-level actions, names, outlines, forms, metadata or bytes after the end), each page
  keeping only its content, resources and boxes (no annotations, so no links, and no page
  actions), and finally every object is scrubbed of action, JavaScript, URI, form and attachment
  keys (pikepdf). A reviewer's click on a proof therefore goes nowhere, whatever the upload
  carried: JavaScript, links and forms are removed rather than refused, because hospital and
  portal PDFs often carry them harmlessly.

Untrusted files are parsed here, not in the web process, with an address-space and CPU limit,
so that a hostile upload (a flate bomb, a huge declared /Length, objects nested a hundred
thousand deep, a looping page tree, a decoder bug) costs a refused upload, not the server's
memory. This file imports nothing from Django or the project, so it runs with `python -I`, and
it sets Pillow's truncated-image switch itself (WeasyPrint turns it on in the web process).
"""

import argparse
import io
import logging
import sys
import warnings

MEGABYTE = 1024 * 1024
ADDRESS_SPACE_LIMIT = 1536 * MEGABYTE
CPU_SECONDS = 20
MAX_STREAM_OUTPUT = 64 * MEGABYTE
MAX_TOTAL_DECODED = 256 * MEGABYTE
MAX_OBJECTS = 50_000
MAX_DEPTH = 48
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_EDGE = 4096
JPEG_QUALITY = 85

REJECTED_KEYS = {
    "/EmbeddedFiles": "embedded_file",
    "/EmbeddedFile": "embedded_file",
    "/EF": "embedded_file",
}
REJECTED_ACTIONS = {"/Launch": "launch"}
REJECTED_TYPES = {"/EmbeddedFile": "embedded_file", "/FileAttachment": "embedded_file"}
PAGE_KEYS = {
    "/Type",
    "/Parent",
    "/Resources",
    "/Contents",
    "/MediaBox",
    "/CropBox",
    "/BleedBox",
    "/TrimBox",
    "/ArtBox",
    "/Rotate",
    "/UserUnit",
}
ACTIVE_KEYS = {
    "/A",
    "/AA",
    "/AcroForm",
    "/Annots",
    "/EF",
    "/EmbeddedFiles",
    "/JS",
    "/JavaScript",
    "/Names",
    "/OpenAction",
    "/Outlines",
    "/RichMediaContent",
    "/URI",
    "/XFA",
}


class Rejected(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def limit_resources() -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Debian
        return
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


# Images ------------------------------------------------------------------------------------


def clean_image(data: bytes, kind: str) -> bytes:
    from PIL import Image, ImageFile, ImageOps

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    fmt = "JPEG" if kind == "jpeg" else "PNG"
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as opened:
            width, height = opened.size
            if width <= 0 or height <= 0 or width * height > MAX_IMAGE_PIXELS:
                raise Rejected("too_many_pixels")
            if fmt == "PNG":
                opened.verify()
        with Image.open(io.BytesIO(data), formats=[fmt]) as opened:
            if fmt == "JPEG":
                opened.draft("RGB", (MAX_IMAGE_EDGE, MAX_IMAGE_EDGE))
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except Rejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Rejected("too_many_pixels") from exc
    except Exception as exc:  # noqa: BLE001 - any decoder failure is a refusal
        raise Rejected("damaged") from exc
    image.thumbnail((MAX_IMAGE_EDGE, MAX_IMAGE_EDGE))
    image = _plain_mode(image, fmt)
    pixels = Image.new(image.mode, image.size)
    pixels.paste(image)
    output = io.BytesIO()
    if fmt == "JPEG":
        pixels.save(output, "JPEG", quality=JPEG_QUALITY)
    else:
        pixels.save(output, "PNG")
    return output.getvalue()


def _plain_mode(image, fmt: str):
    if fmt == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    has_alpha = image.mode in ("PA", "RGBa") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


# PDF ---------------------------------------------------------------------------------------


def scan(value, depth: int = 0) -> None:
    """Look through one object's direct contents (indirect references are scanned on their own)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    if depth > MAX_DEPTH:
        raise Rejected("too_complex")
    if isinstance(value, IndirectObject):
        return
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            if key in REJECTED_KEYS:
                raise Rejected(REJECTED_KEYS[key])
            if key == "/S" and isinstance(item, NameObject) and item in REJECTED_ACTIONS:
                raise Rejected(REJECTED_ACTIONS[item])
            if key in ("/Type", "/Subtype") and isinstance(item, NameObject):
                if item in REJECTED_TYPES:
                    raise Rejected(REJECTED_TYPES[item])
            scan(item, depth + 1)
    elif isinstance(value, ArrayObject):
        for item in value:
            scan(item, depth + 1)


def object_references(reader):
    from pypdf.generic import IndirectObject

    for generation, table in reader.xref.items():
        for number in table:
            yield IndirectObject(number, generation, reader)
    for number in reader.xref_objStm:
        yield IndirectObject(number, 0, reader)


def check_and_rebuild_pdf(data: bytes, *, max_pages: int) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import StreamObject

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise Rejected("encrypted")
    references = list(object_references(reader))
    if len(references) > MAX_OBJECTS:
        raise Rejected("too_complex")
    scan(reader.trailer)
    decoded = 0
    for reference in references:
        try:
            value = reference.get_object()
        except (RecursionError, MemoryError, Rejected):
            raise
        except Exception:  # noqa: BLE001 - an unreadable object is left out of the rebuild
            continue
        scan(value)
        if isinstance(value, StreamObject):
            try:
                decoded += len(value.get_data())
            except NotImplementedError:
                continue
            if decoded > MAX_TOTAL_DECODED:
                raise Rejected("bomb")
    page_count = len(reader.pages)
    if page_count == 0:
        raise Rejected("damaged")
    if page_count > max_pages:
        raise Rejected("too_many_pages")
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    output = io.BytesIO()
    writer.write(output)
    return strip_pdf(output.getvalue())


def strip_pdf(data: bytes) -> bytes:
    """Copy the pages, with only their content, resources and boxes, into a new document, then
    remove every action, script, link, form and attachment key from every object left."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as source:
        for page in source.pages:
            for key in set(page.obj.keys()) - PAGE_KEYS:
                del page.obj[key]
        clean = pikepdf.new()
        clean.pages.extend(source.pages)
        for value in clean.objects:
            if isinstance(value, pikepdf.Dictionary | pikepdf.Stream):
                for key in set(value.keys()) & ACTIVE_KEYS:
                    del value[key]
        output = io.BytesIO()
        clean.save(output)
    return output.getvalue()


def clean_pdf(data: bytes, *, max_pages: int, max_bytes: int) -> bytes:
    from pypdf import apply_configuration
    from pypdf.errors import LimitReachedError

    if not data.startswith(b"%PDF-"):
        raise Rejected("damaged")
    limits = {
        "maximum_declared_stream_length": max_bytes,
        "zlib_maximum_output_length": MAX_STREAM_OUTPUT,
        "lzw_maximum_output_length": MAX_STREAM_OUTPUT,
        "run_length_maximum_output_length": MAX_STREAM_OUTPUT,
        "array_based_stream_maximum_output_length": MAX_STREAM_OUTPUT,
        "image_maximum_buffer_size": MAX_STREAM_OUTPUT,
        "stream_decoding_work_maximum_length": MAX_STREAM_OUTPUT * 2,
        "brotli_maximum_output_length": MAX_STREAM_OUTPUT,
        "jbig2dec_binary": None,
        "page_tree_maximum_entries": 10_000,
        "page_tree_maximum_depth": 32,
    }
    try:
        with apply_configuration(**limits):
            rebuilt = check_and_rebuild_pdf(data, max_pages=max_pages)
    except Rejected:
        raise
    except LimitReachedError as exc:
        raise Rejected("bomb") from exc
    except (RecursionError, MemoryError) as exc:
        raise Rejected("too_complex") from exc
    except Exception as exc:  # noqa: BLE001 - any parser failure is a refusal
        raise Rejected("damaged") from exc
    if len(rebuilt) > 2 * max_bytes:
        raise Rejected("too_large")
    return rebuilt


# Entry point -------------------------------------------------------------------------------


def run(data: bytes, *, kind: str, max_pages: int, max_bytes: int) -> bytes:
    if len(data) > max_bytes:
        raise Rejected("too_large")
    if kind == "pdf":
        return clean_pdf(data, max_pages=max_pages, max_bytes=max_bytes)
    if kind in ("jpeg", "png"):
        return clean_image(data, kind)
    raise Rejected("unsupported")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["pdf", "jpeg", "png"], required=True)
    parser.add_argument("--max-pages", type=int, required=True)
    parser.add_argument("--max-bytes", type=int, required=True)
    options = parser.parse_args(argv)
    limit_resources()
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    data = sys.stdin.buffer.read(options.max_bytes + 1)
    try:
        cleaned = run(
            data, kind=options.kind, max_pages=options.max_pages, max_bytes=options.max_bytes
        )
    except Rejected as rejection:
        sys.stderr.write(rejection.reason)
        return 2
    except MemoryError:
        sys.stderr.write("too_complex")
        return 2
    sys.stdout.buffer.write(cleaned)
    return 0


if __name__ == "__main__":
    sys.exit(main())
