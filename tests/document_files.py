"""Real documents built in memory for the upload and extraction tests (no binary fixtures in git)."""

import io
import zipfile
import zlib


def pdf_bytes(*pages, compress_repeat=1):
    """A real PDF, one page per string in `pages` (Latin-1 text in Helvetica), which pypdf reads back.

    compress_repeat > 1 repeats each page's text-showing operation that many times inside one
    Flate-compressed content stream: a small file that is slow to parse.
    """
    pages = pages or ("",)
    page_ids = [4 + 2 * index for index in range(len(pages))]
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % page_id for page_id in page_ids), len(pages)),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for page_id, text in zip(page_ids, pages, strict=True):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")
        operation = b"BT /F1 12 Tf 72 720 Td (%s) Tj ET\n" % escaped
        if compress_repeat > 1:
            stream = zlib.compress(operation * compress_repeat, 9)
            extra = b" /Filter /FlateDecode"
        else:
            stream, extra = operation, b""
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_id + 1)
        )
        objects[page_id + 1] = b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(stream), extra, stream)
    output = io.BytesIO()
    output.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = output.tell()
        output.write(b"%d 0 obj\n%s\nendobj\n" % (number, objects[number]))
    xref = output.tell()
    size = max(objects) + 1
    output.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        output.write(b"%010d 00000 n \n" % offsets[number])
    output.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return output.getvalue()


def docx_bytes(*paragraphs):
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def odt_bytes(*paragraphs):
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    for paragraph in paragraphs:
        document.text.addElement(P(text=paragraph))
    output = io.BytesIO()
    document.write(output)
    return output.getvalue()


def with_extra_zip_entries(archive_bytes, entries):
    """The archive with more entries added: {name: bytes}, deflated."""
    output = io.BytesIO(archive_bytes)
    output.seek(0, io.SEEK_END)
    with zipfile.ZipFile(output, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return output.getvalue()


ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 200


def with_understated_size(archive_bytes, name, declared_size):
    """The archive with `name`'s uncompressed size understated in its headers (a zip bomb that lies
    to size checks that trust the central directory)."""
    data = bytearray(archive_bytes)
    encoded = name.encode()
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_offset : start + name_offset + len(encoded)] == encoded:
                data[start + size_offset : start + size_offset + 4] = declared_size.to_bytes(4, "little")
            start += 4
    return bytes(data)


def docx_with_padding(padding_bytes):
    """A DOCX whose word/document.xml ends in `padding_bytes` of whitespace (valid XML, tiny once deflated)."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes("Padded")))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "word/document.xml":
                content += b" " * padding_bytes
            archive.writestr(entry.filename, content)
    return output.getvalue()
