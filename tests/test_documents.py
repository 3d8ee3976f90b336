"""depository.documents: what an upload is (from its content) and its text (in a limited child process)."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from depository.documents import (
    ATTACHMENT_KINDS,
    PAPER_KINDS,
    DocumentKind,
    DocumentRejected,
    ExtractionFailed,
    extract_text,
    inspect_upload,
    safe_display_name,
)
from tests.document_files import (
    ELF_EXECUTABLE,
    docx_bytes,
    docx_with_padding,
    odt_bytes,
    pdf_bytes,
    with_extra_zip_entries,
    with_understated_size,
)

MB = 1024 * 1024


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def inspect(name, content, *, allowed=ATTACHMENT_KINDS, max_bytes=5 * MB):
    return inspect_upload(upload(name, content), max_bytes=max_bytes, allowed_kinds=allowed)


def rejection(name, content, **kwargs):
    with pytest.raises(DocumentRejected) as caught:
        inspect(name, content, **kwargs)
    return str(caught.value.message)


class TestInspectUpload:
    def test_pdf_is_recognised_with_its_size_and_checksum(self):
        content = pdf_bytes("Urban safety and peacebuilding")
        info = inspect("report.pdf", content)
        assert info.kind == DocumentKind.PDF
        assert info.content_type == "application/pdf"
        assert info.extension == "pdf"
        assert info.size == len(content)
        assert len(info.sha256) == 64

    def test_type_comes_from_content_not_name(self):
        info = inspect("actually-a-pdf.docx", pdf_bytes("Hello"), allowed=PAPER_KINDS)
        assert info.kind == DocumentKind.PDF

    def test_docx_and_odt_are_told_apart_from_their_zip_entries(self):
        assert inspect("paper.pdf", docx_bytes("Hello")).kind == DocumentKind.DOCX
        assert inspect("paper.docx", odt_bytes("Hello")).kind == DocumentKind.ODT

    def test_plain_text_is_valid_utf8(self):
        info = inspect("notes.txt", "Violência urbana, عنف حضري\n".encode())
        assert info.kind == DocumentKind.TXT
        assert info.content_type == "text/plain; charset=utf-8"

    def test_plain_text_is_refused_where_only_papers_are_accepted(self):
        message = rejection("notes.pdf", b"just some words", allowed=PAPER_KINDS)
        assert "Plain text files are not accepted here" in message
        assert "PDF, Word document (DOCX) or OpenDocument text (ODT)" in message

    def test_executable_renamed_pdf_is_refused(self):
        assert rejection("invoice.pdf", ELF_EXECUTABLE).startswith("Please upload one of: PDF")

    def test_latin1_text_is_not_taken_for_utf8(self):
        assert "Please upload one of" in rejection("notes.txt", "Violência".encode("latin-1"))

    def test_truncated_pdf_is_refused(self):
        content = pdf_bytes("A report that was cut short", "page two")
        message = rejection("report.pdf", content[: len(content) // 2])
        assert message.startswith("The file could not be read as PDF")

    def test_pdf_header_on_junk_is_refused(self):
        assert "could not be read as PDF" in rejection("x.pdf", b"%PDF-1.7\n" + b"garbage " * 100)

    def test_empty_file_is_refused(self):
        assert rejection("empty.pdf", b"") == "The file is empty."

    def test_file_over_the_limit_is_refused_before_it_is_read(self):
        class Unreadable(SimpleUploadedFile):
            def read(self, *args):
                raise AssertionError("read before the size check")

        oversized = Unreadable("big.pdf", b"x" * 2000)
        with pytest.raises(DocumentRejected) as caught:
            inspect_upload(oversized, max_bytes=1000, allowed_kinds=ATTACHMENT_KINDS)
        assert caught.value.message == "The file is 2.0\xa0KB; the limit is 1000\xa0bytes."

    def test_docx_zip_bomb_is_refused_from_its_central_directory(self):
        bomb = with_extra_zip_entries(docx_bytes("Hello"), {"word/media/image1.png": b"\0" * (20 * MB)})
        assert len(bomb) < MB  # small on disk, huge once inflated
        assert "zip bomb" in rejection("bomb.docx", bomb)

    def test_docx_unpacking_past_the_total_limit_is_refused(self, settings):
        settings.DOCUMENT_MAX_UNCOMPRESSED_BYTES = 100_000
        message = rejection("big.docx", docx_bytes("Hello " * 20_000))
        assert message.startswith("The document unpacks to")

    def test_docx_with_too_many_entries_is_refused(self, settings):
        settings.DOCUMENT_MAX_ZIP_ENTRIES = 50
        crowded = with_extra_zip_entries(docx_bytes("Hello"), {f"word/part{index}.xml": b"<a/>" for index in range(60)})
        assert rejection("crowded.docx", crowded).startswith("The document holds 7")

    def test_zip_bomb_lying_about_its_size_fails_its_checksum(self):
        padded = docx_with_padding(30 * MB)
        real_size = len(docx_bytes("Padded"))  # far below the declared-size limits
        liar = with_understated_size(padded, "word/document.xml", real_size)
        assert len(liar) < MB
        # The central directory now passes the size checks; inflating stops at the declared size.
        assert "could not be read as Word document (DOCX)" in rejection("liar.docx", liar)

    def test_plain_zip_is_not_a_document(self):
        archive = with_extra_zip_entries(b"", {"readme.txt": b"hello"})
        assert rejection("files.docx", archive) == "The file is an archive, not a DOCX or ODT document."

    def test_docx_with_broken_document_xml_is_refused(self):
        broken = with_extra_zip_entries(b"", {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<not xml"})
        assert "could not be read as Word document (DOCX)" in rejection("broken.docx", broken)

    def test_a_temporary_upload_is_checked_in_place(self):
        content = pdf_bytes("On disk")
        uploaded = TemporaryUploadedFile("big.pdf", "application/pdf", len(content), None)
        uploaded.write(content)
        uploaded.flush()
        try:
            assert inspect_upload(uploaded, max_bytes=MB, allowed_kinds=PAPER_KINDS).kind == DocumentKind.PDF
        finally:
            uploaded.close()


class TestSafeDisplayName:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("../../etc/passwd", "passwd"),
            ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
            ("/abs/path/report.pdf", "report.pdf"),
            ("..", "document"),
            ("", "document"),
            ("تقرير السلامة الحضرية.pdf", "تقرير السلامة الحضرية.pdf"),
            ("Violência urbana — informe.docx", "Violência urbana — informe.docx"),
            ("城市安全.odt", "城市安全.odt"),
            ("line\nbreak\x00nul\x1b.pdf", "linebreaknul.pdf"),
            ("invoice\u202efdp.exe", "invoicefdp.exe"),
            ('what?<is>"this"|.pdf', "what__is__this__.pdf"),
            ("  .hidden  ", "hidden"),
        ],
    )
    def test_names(self, name, expected):
        assert safe_display_name(name) == expected

    def test_long_names_keep_their_extension(self):
        name = safe_display_name("a" * 500 + ".pdf")
        assert len(name) == 200
        assert name.endswith("a.pdf")


class TestExtractText:
    def write(self, tmp_path, name, content):
        path = tmp_path / name
        path.write_bytes(content)
        return path

    def test_pdf_text_and_pages(self, tmp_path):
        path = self.write(
            tmp_path, "r.pdf", pdf_bytes("Urban safety meets peacebuilding", "Second page mentions Medellin")
        )
        result = extract_text(path, DocumentKind.PDF)
        assert "Urban safety meets peacebuilding" in result.text
        assert "Medellin" in result.text
        assert result.page_count == 2

    def test_docx_text(self, tmp_path):
        path = self.write(tmp_path, "p.docx", docx_bytes("Violência urbana", "Gender-based violence in cities"))
        result = extract_text(path, DocumentKind.DOCX)
        assert result.text.split("\n") == ["Violência urbana", "Gender-based violence in cities"]

    def test_odt_text(self, tmp_path):
        path = self.write(tmp_path, "p.odt", odt_bytes("Consolidation de la paix", "عنف حضري"))
        result = extract_text(path, DocumentKind.ODT)
        assert result.text.split("\n") == ["Consolidation de la paix", "عنف حضري"]

    def test_plain_text(self, tmp_path):
        path = self.write(tmp_path, "n.txt", "\ufeffNotes on the confluence\n".encode())
        result = extract_text(path, DocumentKind.TXT)
        assert result.text == "Notes on the confluence\n"
        assert result.page_count is None

    def test_long_text_is_cut_at_the_limit(self, tmp_path, settings):
        settings.DOCUMENT_MAX_TEXT_CHARS = 100
        result = extract_text(self.write(tmp_path, "n.txt", b"word " * 1000), DocumentKind.TXT)
        assert len(result.text) == 100
        assert result.truncated

    def test_damaged_file_fails_cleanly(self, tmp_path):
        with pytest.raises(ExtractionFailed) as caught:
            extract_text(self.write(tmp_path, "bad.docx", b"PK\x03\x04 not really"), DocumentKind.DOCX)
        assert caught.value.reason == "The file is damaged or not a readable document."
        assert "PackageNotFoundError" in caught.value.detail

    def test_pathological_pdf_times_out(self, tmp_path, settings):
        # 17 KB that take pypdf about 30 seconds to read: the child is killed at the limit.
        settings.DOCUMENT_EXTRACTION_TIMEOUT = 2
        path = self.write(tmp_path, "slow.pdf", pdf_bytes("word " * 5, compress_repeat=100_000))
        started = time.monotonic()
        with pytest.raises(ExtractionFailed) as caught:
            extract_text(path, DocumentKind.PDF)
        assert time.monotonic() - started < 5
        assert caught.value.reason == "Reading the file took longer than the limit of 2 seconds."

    def test_memory_limit_stops_a_greedy_parse(self, tmp_path, settings):
        # 60 MB of text, and the child may use 40 MB of address space beyond what Python needs.
        settings.DOCUMENT_EXTRACTION_MEMORY_MB = 80
        path = self.write(tmp_path, "huge.txt", b"peace " * (10 * MB))
        with pytest.raises(ExtractionFailed) as caught:
            extract_text(path, DocumentKind.TXT)
        assert "memory" in caught.value.reason
