"""Accepting a proof of diagnosis: what comes in is checked by content and rebuilt, or refused.

The file's name and the browser's content type are ignored. The first bytes decide: JPEG, PNG
or PDF go to `proofcheck.py`, run as a resource-limited child process, which decodes and
re-encodes images (no metadata, nothing appended, pixel bombs and truncated files refused) and
checks and rebuilds PDFs (scripts, links, actions and forms removed; attachments, launch
actions, encryption and bombs refused); anything else (SVG, HTML, GIF, Office files…) is
refused here. What gets stored is therefore
never the bytes that were uploaded.
"""

import subprocess
import sys
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext_lazy as _

from membership import proofcheck

MEGABYTE = 1024 * 1024
MAX_UPLOAD_BYTES = 10 * MEGABYTE
MAX_PDF_PAGES = 10
MAX_IMAGE_PIXELS = proofcheck.MAX_IMAGE_PIXELS
MAX_IMAGE_EDGE = proofcheck.MAX_IMAGE_EDGE
CHECK_TIMEOUT_SECONDS = 30
CHECKER_SCRIPT = Path(__file__).with_name("proofcheck.py")

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PDF_MAGIC = b"%PDF-"
MAGIC = {"jpeg": JPEG_MAGIC, "png": PNG_MAGIC, "pdf": PDF_MAGIC}

KINDS = {
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "pdf": ("application/pdf", "pdf"),
}

REASONS = {
    "encrypted": _(
        "This PDF is protected by a password. Please upload a copy without a password, "
        "or a photo of the document."
    ),
    "launch": _(
        "This PDF tries to start other programs, which we do not accept. Please upload a scan "
        "or a photo of the document instead."
    ),
    "embedded_file": _(
        "This PDF has other files attached to it, which we do not accept. Please upload only "
        "the proof itself."
    ),
    "too_many_pages": _(
        "This PDF has more than %(pages)d pages. Please upload only the pages of the proof."
    ),
    "too_large": _("The file is larger than %(megabytes)d MB."),
    "bomb": _(
        "This PDF expands to far more data than a proof needs and cannot be checked. Please "
        "upload a scan or a photo of the document instead."
    ),
    "too_complex": _(
        "This PDF is too complex to check. Please upload a scan or a photo of the document instead."
    ),
    "too_many_pixels": _("This image has too many pixels (more than %(million)d million)."),
}
DAMAGED_PDF = _(
    "This PDF could not be read; it may be damaged. Please try a photo of the document."
)
DAMAGED_IMAGE = _(
    "This image could not be read; it may be damaged or incomplete. Please try again."
)


class ProofRejected(Exception):
    """A refusal with a message for the applicant (already translated lazily)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class CleanProof:
    content: bytes
    content_type: str
    extension: str


def sniff(head: bytes) -> str | None:
    """The kind of file by its first bytes: 'jpeg', 'png', 'pdf' or None for anything else."""
    if head.startswith(JPEG_MAGIC):
        return "jpeg"
    if head.startswith(PNG_MAGIC):
        return "png"
    if head.startswith(PDF_MAGIC):
        return "pdf"
    return None


def limits_context() -> dict:
    return {
        "megabytes": MAX_UPLOAD_BYTES // MEGABYTE,
        "pages": MAX_PDF_PAGES,
        "million": MAX_IMAGE_PIXELS // 1_000_000,
    }


def clean_proof(data: bytes) -> CleanProof:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ProofRejected(REASONS["too_large"] % limits_context())
    if not data:
        raise ProofRejected(_("The file is empty."))
    kind = sniff(data[:16])
    if kind is None:
        raise ProofRejected(
            _(
                "This file is not a PDF, JPEG or PNG (we check what the file contains, not its "
                "name). Please upload a photo or a PDF of the proof."
            )
        )
    content = _run_checker(data, kind)
    content_type, extension = KINDS[kind]
    return CleanProof(content=content, content_type=content_type, extension=extension)


def _run_checker(data: bytes, kind: str) -> bytes:
    """Rebuild the file in the resource-limited child process; refuse it with its reason."""
    command = [
        sys.executable,
        "-I",
        str(CHECKER_SCRIPT),
        "--kind",
        kind,
        "--max-pages",
        str(MAX_PDF_PAGES),
        "--max-bytes",
        str(MAX_UPLOAD_BYTES),
    ]
    try:
        finished = subprocess.run(  # noqa: S603 - fixed command; the file goes in on stdin
            command,
            input=data,
            capture_output=True,
            timeout=CHECK_TIMEOUT_SECONDS,
            check=False,
            env={"LC_ALL": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired as exc:
        raise ProofRejected(REASONS["too_complex"]) from exc
    if finished.returncode == 0 and finished.stdout.startswith(MAGIC[kind]):
        return finished.stdout
    words = finished.stderr.decode("ascii", "replace").split()
    reason = words[-1] if finished.returncode == 2 and words else ""
    if reason in ("damaged", "") and kind != "pdf":
        raise ProofRejected(DAMAGED_IMAGE)
    message = REASONS.get(reason, DAMAGED_PDF)
    raise ProofRejected(message % limits_context() if "%(" in str(message) else message)


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Keeps the first uploaded file in memory, up to MAX_UPLOAD_BYTES, and drops the rest.

    Django's default handlers write uploads above 2.5 MB to a temporary file: for a proof of
    diagnosis that would be plaintext on disk. This handler never touches the disk, never holds
    more than the limit, and marks a file that was too large instead of silently truncating it.
    """

    def __init__(self, request=None, *, field_name: str = "proof", limit: int = MAX_UPLOAD_BYTES):
        super().__init__(request)
        self.wanted_field = field_name
        self.limit = limit
        self.taken = False
        self.accepting = False
        self.oversized = False
        self.buffer = BytesIO()

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.accepting = field_name == self.wanted_field and not self.taken
        if self.accepting:
            self.taken = True
            self.buffer = BytesIO()
            self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        if not self.accepting or self.oversized:
            return None
        if self.buffer.tell() + len(raw_data) > self.limit:
            self.oversized = True
            self.buffer = BytesIO()
            return None
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        if not self.accepting:
            return None
        self.accepting = False
        self.buffer.seek(0)
        uploaded = InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name or "proof",
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
        uploaded.oversized = self.oversized
        return uploaded


def install_upload_handler(request) -> None:
    """Use only the bounded in-memory handler for this request (before anything reads POST)."""
    request.upload_handlers = [BoundedMemoryUploadHandler(request)]


def request_too_large(request) -> bool:
    """A declared body far above the limit is refused before it is parsed at all."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > MAX_UPLOAD_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
