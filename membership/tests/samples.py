"""Sample uploads, built in code: good proofs and hostile files.

Nothing here is a real person's document. The PDF "proof" is rendered by WeasyPrint from a
made-up certificate; the hostile files follow the published shapes of such attacks (polyglots,
decompression bombs, PDFs with JavaScript, launch actions or attachments).
"""

import io
import struct
import zlib

from PIL import Image

MARKER = b"SECRET-PATIENT-MARKER-42"


def jpeg_bytes(size=(640, 480), *, exif_gps=False, colour=(200, 120, 90)) -> bytes:
    image = Image.new("RGB", size, colour)
    buffer = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0110] = "Model-X"  # Model
        exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
        gps = {1: "N", 2: (30.0, 39.0, 36.0), 3: "E", 4: (104.0, 3.0, 36.0)}
        exif[0x8825] = gps
        kwargs["exif"] = exif.tobytes()
    image.save(buffer, "JPEG", quality=90, comment=MARKER, **kwargs)
    return buffer.getvalue()


def png_bytes(size=(300, 200), *, text_chunk: bytes = b"") -> bytes:
    from PIL import PngImagePlugin

    image = Image.new("RGBA", size, (10, 100, 200, 255))
    info = PngImagePlugin.PngInfo()
    if text_chunk:
        info.add_text("Comment", text_chunk.decode("latin-1"))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_pixel_bomb(width=50_000, height=50_000) -> bytes:
    """A tiny PNG whose header announces 2.5 billion pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (width * 3)
    data = compressor.compress(row * 4) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def raw_pdf(objects: list[bytes], *, root: int = 1, tail: bytes = b"") -> bytes:
    """A PDF with a correct cross-reference table from the bodies of objects 1..n."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, root, xref)
    )
    return out.getvalue() + tail


def _stream(data: bytes, extra: bytes = b"", length: int | None = None) -> bytes:
    declared = len(data) if length is None else length
    return b"<< /Length %d %s >>\nstream\n" % (declared, extra) + data + b"\nendstream"


def simple_pdf(*, catalog_extra=b"", page_extra=b"", tail=b"", content=None) -> bytes:
    content = content or b"BT /F1 24 Tf 72 720 Td (Diagnosis: systemic sclerosis) Tj ET"
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b">>",
            _stream(content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ],
        tail=tail,
    )


def pdf_with_link_and_script() -> bytes:
    """A one-page proof, built with pikepdf, whose text is a link to a URI, with JavaScript run
    on opening, a document-level script, a page action and a form field."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(simple_pdf()))
    script = pdf.make_indirect(
        pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.launchURL('https://evil.example/x');")
        )
    )
    link = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=[0, 0, 612, 792],
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://evil.example/")),
        )
    )
    page = pdf.pages[0].obj
    page.Annots = pikepdf.Array([link])
    page.AA = pikepdf.Dictionary(O=script)
    pdf.Root.OpenAction = script
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("run"), script]))
    )
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([link]))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def pdf_with_pages(count: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def flate_bomb_pdf(megabytes: int = 300) -> bytes:
    """A content stream of a few hundred KB that inflates to `megabytes` MB of zeros."""
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1024 * 1024)
    data = b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            _stream(data, b"/Filter /FlateDecode"),
        ]
    )


def huge_length_pdf() -> bytes:
    """A stream that declares a /Length of 100 GB."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            _stream(b"BT ET", length=100_000_000_000),
        ]
    )


def deeply_nested_pdf(depth: int = 50_000) -> bytes:
    return simple_pdf(page_extra=b"/Nest " + b"[" * depth + b"]" * depth + b" ")


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_attachment() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("invoice.exe", b"MZ\x90\x00 not really a program")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def certificate_pdf() -> bytes:
    """A one-page made-up 诊断证明 rendered by WeasyPrint, like a hospital's PDF."""
    import weasyprint

    html = (
        "<h1>诊断证明书</h1><p>姓名：示例 性别：女 年龄：45</p>"
        "<p>诊断：系统性硬化症（弥漫型） Diagnosis: diffuse cutaneous systemic sclerosis</p>"
        f"<p>{MARKER.decode()}</p>"
    )
    return weasyprint.HTML(string=html).write_pdf()


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
GIF_IMAGE = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
