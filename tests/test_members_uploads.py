"""Paper uploads: the type comes from the content, bad files get a clear message, and the file and its
row are written together or not at all."""

import pytest
from django.db import DatabaseError
from django.urls import reverse

from members.models import PaperVersion
from members.storage import private_storage
from tests.document_files import docx_bytes, odt_bytes, pdf_bytes, with_extra_zip_entries
from tests.members_helpers import make_paper, post_upload, read_file_response, stored_files

pytestmark = [pytest.mark.django_db]

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


@pytest.fixture
def paper(member):
    return make_paper(member)


def refused(response, message):
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content, content
    return content


def assert_nothing_stored(media_roots):
    _, private = media_roots
    assert PaperVersion.objects.count() == 0
    assert stored_files(private) == []


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("paper.pdf", pdf_bytes("Mediation in Corregidora"), "pdf"),
        ("paper.docx", docx_bytes("Mediation in Corregidora"), "docx"),
        ("paper.odt", odt_bytes("Mediation in Corregidora"), "odt"),
    ],
)
def test_pdf_docx_and_odt_are_accepted(member_client, paper, media_roots, name, content, kind):
    response = post_upload(member_client, paper, name=name, content=content)
    assert response.status_code == 302
    version = PaperVersion.objects.get()
    assert (version.number, version.kind, version.original_name, version.size) == (1, kind, name, len(content))
    # Stored under a generated name in the private storage, outside MEDIA_ROOT.
    public, private = media_roots
    assert stored_files(private) == [version.file.name]
    assert version.file.name.startswith("papers/") and version.file.name.endswith(f".{kind}")
    assert name not in version.file.name
    assert stored_files(public) == []


def test_a_pdf_renamed_docx_is_taken_for_the_pdf_it_is(member_client, paper, media_roots):
    response = post_upload(member_client, paper, name="report.docx", content=pdf_bytes("A PDF in disguise"))
    assert response.status_code == 302
    version = PaperVersion.objects.get()
    assert (version.kind, version.content_type, version.original_name) == ("pdf", "application/pdf", "report.docx")
    assert version.file.name.endswith(".pdf")


def test_an_executable_renamed_pdf_is_refused(member_client, paper, media_roots):
    refused(post_upload(member_client, paper, name="paper.pdf", content=ELF), "Please upload one of:")
    assert_nothing_stored(media_roots)


def test_a_plain_text_file_is_refused_for_papers(member_client, paper, media_roots):
    refused(
        post_upload(member_client, paper, name="paper.pdf", content=b"Just some text\n"),
        "Plain text files are not accepted here.",
    )
    assert_nothing_stored(media_roots)


def test_a_truncated_pdf_is_refused(member_client, paper, media_roots):
    content = pdf_bytes("Cut in the middle")
    refused(post_upload(member_client, paper, content=content[: len(content) // 3]), "could not be read as PDF")
    assert_nothing_stored(media_roots)


def test_an_empty_file_is_refused(member_client, paper, media_roots):
    response = post_upload(member_client, paper, content=b"")
    assert response.status_code == 400
    assert "The submitted file is empty." in response.content.decode()
    assert_nothing_stored(media_roots)


def test_a_file_over_the_limit_is_refused(member_client, paper, media_roots, settings):
    settings.MEMBERS_PAPER_MAX_BYTES = 1000
    refused(post_upload(member_client, paper, content=pdf_bytes("x" * 2000)), "the limit is 1000")
    assert_nothing_stored(media_roots)


def test_a_docx_zip_bomb_is_refused_before_it_is_inflated(member_client, paper, media_roots):
    bomb = with_extra_zip_entries(docx_bytes("Innocent"), {"word/media/padding.bin": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 200_000
    refused(post_upload(member_client, paper, name="bomb.docx", content=bomb), "compress")
    assert_nothing_stored(media_roots)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\boot.pdf", "boot.pdf"),
        ("الأمن الحضري و بناء السلام.pdf", "الأمن الحضري و بناء السلام.pdf"),
        ("Безопасность\u202egpj.pdf", "Безопасностьgpj.pdf"),
    ],
)
def test_hostile_and_non_latin_names_are_kept_only_as_safe_data(member_client, paper, media_roots, name, shown):
    response = post_upload(member_client, paper, name=name)
    assert response.status_code == 302
    version = PaperVersion.objects.get()
    assert version.original_name == shown
    _, private = media_roots
    assert stored_files(private) == [version.file.name]
    assert version.file.name.startswith("papers/")
    download = member_client.get(version.get_absolute_url())
    assert download.status_code == 200
    read_file_response(download)
    assert "/" not in download["Content-Disposition"].split("filename", 1)[1]


def test_uploading_again_adds_a_version_and_keeps_the_first(member_client, paper, media_roots):
    post_upload(member_client, paper, name="first.pdf", content=pdf_bytes("First"))
    post_upload(member_client, paper, name="second.pdf", content=pdf_bytes("Second"))
    first, second = PaperVersion.objects.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert read_file_response(member_client.get(first.get_absolute_url())) == pdf_bytes("First")
    assert read_file_response(member_client.get(second.get_absolute_url())) == pdf_bytes("Second")
    page = member_client.get(reverse("members:paper", args=[paper.pk])).content.decode()
    assert "Version 1" in page and "Version 2" in page


def test_no_upload_once_submitted(member_client, paper, media_roots):
    post_upload(member_client, paper)
    member_client.post(reverse("members:paper_transition", args=[paper.pk, "submit"]))
    refused(post_upload(member_client, paper, name="late.pdf"), "only while the paper is a draft")
    assert PaperVersion.objects.count() == 1


def test_if_the_row_cannot_be_written_the_stored_file_is_deleted(member_client, paper, media_roots, monkeypatch):
    """The last step (the row) fails: no row, and the file already stored is gone again."""
    saved_names = []
    original_save = private_storage.save

    def save_then_remember(name, content, **kwargs):
        saved_names.append(original_save(name, content, **kwargs))
        return saved_names[-1]

    def failing_save(self, *args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(private_storage, "save", save_then_remember)
    monkeypatch.setattr(PaperVersion, "save", failing_save)
    with pytest.raises(DatabaseError):
        post_upload(member_client, paper)
    assert len(saved_names) == 1  # the file was written before the row failed ...
    assert_nothing_stored(media_roots)  # ... and is gone again


def test_if_the_file_cannot_be_stored_no_row_is_written(member_client, paper, media_roots, monkeypatch):
    def failing_save(name, content, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(private_storage, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        post_upload(member_client, paper)
    assert_nothing_stored(media_roots)
