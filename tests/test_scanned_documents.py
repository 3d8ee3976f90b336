"""Scanned documents (issue 16): image-only PDFs recognised by Tesseract (ocrmypdf) in the real
extraction task, found afterwards by a word of the image; password-protected and macro-enabled files
refused with messages that say so."""

import io
import shutil
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfWriter

from depository.models import Attachment, Entry
from depository.models.attachments import ExtractionStatus
from depository.tasks import extract_attachment_text, extract_document_text
from tests.document_files import docx_bytes, pdf_bytes

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Latin and Arabic glyphs (fonts-dejavu-core)

pytestmark = pytest.mark.skipif(shutil.which("ocrmypdf") is None, reason="make test installs ocrmypdf (ocr-deps)")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def scanned_pdf(lines, *, rtl=False, pages=1):
    """A PDF of `pages` pages that are each only a picture of `lines` (no text layer), as a scanner makes it."""
    image = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 64)
    for number, line in enumerate(lines):
        if rtl:
            draw.text((1500, 250 + number * 120), line, font=font, fill=0, direction="rtl", language="ar", anchor="ra")
        else:
            draw.text((150, 250 + number * 120), line, font=font, fill=0)
    output = io.BytesIO()
    image.save(output, "PDF", resolution=200, save_all=True, append_images=[image] * (pages - 1))
    return output.getvalue()


def entry_form(entry, name, content):
    """The entry change form as the admin posts it, with one new attachment."""
    return {
        "kind": entry.kind,
        "title": entry.title,
        "slug": entry.slug,
        "status": entry.status,
        "language": entry.language,
        "creators-TOTAL_FORMS": "0",
        "creators-INITIAL_FORMS": "0",
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        "attachments-0-file": SimpleUploadedFile(name, content),
        "attachments-0-is_public": "on",
        "_continue": "Save and continue editing",
    }


SCANS = [
    ("en", ["Community safety walk", "Streetlights were repaired"], "streetlights", False),
    ("es", ["Auditoría de seguridad", "Convivencia en los barrios"], "convivencia", False),
    ("fr", ["Marche exploratoire", "Sécurité des quartiers"], "exploratoire", False),
    ("ar", ["السلامة في المدينة", "مشاركة المجتمع"], "المدينة", True),
]


@pytest.mark.slow  # Tesseract reads images (ocrmypdf)
@pytest.mark.parametrize(("language", "lines", "word", "rtl"), SCANS, ids=[scan[0] for scan in SCANS])
def test_a_scanned_pdf_is_recognised_and_found_by_a_word_of_its_image(
    organizer_client, client, media_root, language, lines, word, rtl
):
    entry = Entry.objects.create(
        kind="publication", title="Field notes", slug=f"field-notes-{language}", language=language
    )
    entry.status = "published"
    entry.published_at = entry.created_at
    entry.save()
    response = organizer_client.post(
        reverse("admin:depository_entry_change", args=[entry.pk]),
        entry_form(entry, "scan.pdf", scanned_pdf(lines, rtl=rtl)),
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(entry=entry)
    assert attachment.extraction_status == ExtractionStatus.PENDING

    assert extract_attachment_text.call(attachment.pk) == ExtractionStatus.RECOGNISED

    attachment.refresh_from_db()
    assert attachment.extraction_status == ExtractionStatus.RECOGNISED
    assert word in attachment.extracted_text.casefold()
    assert attachment.page_count == 1
    listed = organizer_client.get(reverse("admin:depository_attachment_changelist"))
    assert "Text recognised from images (OCR)" in listed.content.decode()
    found = client.get(reverse("depository:browse"), {"q": word})
    assert found.status_code == 200
    assert found.context["page"].paginator.count == 1
    assert "Field notes" in found.content.decode()


@pytest.mark.slow  # Tesseract reads images (ocrmypdf)
def test_a_blank_scan_says_no_text_was_found_and_why(organizer_client, media_root):
    entry = Entry.objects.create(kind="publication", title="Blank scan", slug="blank-scan")
    organizer_client.post(
        reverse("admin:depository_entry_change", args=[entry.pk]), entry_form(entry, "blank.pdf", scanned_pdf([]))
    )
    attachment = Attachment.objects.get(entry=entry)

    assert extract_attachment_text.call(attachment.pk) == ExtractionStatus.NO_TEXT

    attachment.refresh_from_db()
    assert attachment.extracted_text == ""
    assert attachment.extraction_error == "The PDF has no text layer, and text recognition (OCR) found no text."
    page = organizer_client.get(reverse("admin:depository_attachment_change", args=[attachment.pk])).content.decode()
    assert "No text found" in page
    assert "found no text" in page


def test_a_pdf_with_a_text_layer_is_not_recognised_again(organizer_client, media_root):
    entry = Entry.objects.create(kind="publication", title="Typed", slug="typed")
    organizer_client.post(
        reverse("admin:depository_entry_change", args=[entry.pk]),
        entry_form(entry, "typed.pdf", pdf_bytes("Typed words")),
    )
    attachment = Attachment.objects.get(entry=entry)
    assert extract_attachment_text.call(attachment.pk) == ExtractionStatus.DONE


def password_protected_pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def macro_enabled_docx():
    """A .docm (Word with a VBA project) renamed .docx: its content type says macroEnabled."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes("Press the button")))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
            target.writestr(item, data)
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really a VBA project")
    return output.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("locked.pdf", password_protected_pdf, "The PDF is protected by a password."),
        ("report.docx", macro_enabled_docx, "The file is a macro-enabled Word document (.docm)"),
    ],
)
def test_password_protected_and_macro_enabled_files_are_refused_by_name(
    organizer_client, media_root, name, make, message
):
    entry = Entry.objects.create(kind="publication", title="Refused", slug="refused")
    response = organizer_client.post(
        reverse("admin:depository_entry_change", args=[entry.pk]), entry_form(entry, name, make())
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "damaged or not a readable document" not in page
    assert not Attachment.objects.exists()


@pytest.mark.slow  # Tesseract reads images (ocrmypdf)
def test_a_member_s_scanned_paper_is_recognised_and_the_admin_says_so(member, organizer_client, media_roots):
    from members.models import PaperVersion
    from tests.members_helpers import client_for, make_paper, post_upload

    paper = make_paper(member, title="Notes from the field", language="fr")
    response = post_upload(client_for(member.user), paper, "scan.pdf", scanned_pdf(["Marche exploratoire"]))
    assert response.status_code == 302
    version = PaperVersion.objects.get(paper=paper)

    assert extract_document_text.call("members.PaperVersion", version.pk) == ExtractionStatus.RECOGNISED

    version.refresh_from_db()
    assert "exploratoire" in version.extracted_text.casefold()
    page = organizer_client.get(reverse("admin:members_inputpaper_change", args=[paper.pk])).content.decode()
    assert "Text recognised from images (OCR)" in page


@pytest.mark.slow  # Tesseract reads images (ocrmypdf)
def test_ocr_past_its_time_limit_is_stopped_and_says_why(organizer_client, media_root, settings):
    # One page of one line is recognised in about 0.6 s on a quiet machine: ten pages of sixteen
    # lines take several seconds of Tesseract, well past the limit of one second.
    settings.DOCUMENT_OCR_TIMEOUT = 1
    entry = Entry.objects.create(kind="publication", title="Slow scan", slug="slow-scan")
    lines = [f"Community safety walk {number}" for number in range(16)]
    organizer_client.post(
        reverse("admin:depository_entry_change", args=[entry.pk]),
        entry_form(entry, "scan.pdf", scanned_pdf(lines, pages=10)),
    )
    attachment = Attachment.objects.get(entry=entry)

    assert extract_attachment_text.call(attachment.pk) == ExtractionStatus.NO_TEXT

    attachment.refresh_from_db()
    assert attachment.extraction_error.startswith("The PDF has no text layer, and text recognition (OCR) failed: ")
    assert "Text recognition (OCR)" in attachment.extraction_error.split("failed: ", 1)[1]
