"""Helpers shared by the members tests (tests/test_members_*.py)."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from members.models import InputPaper, PaperVersion
from tests.document_files import pdf_bytes


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root):
    root = Path(root)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def make_paper(member, title="Urban safety and conflict prevention", **fields):
    from members.services.common import unique_slug

    paper = InputPaper.objects.create(title=title, slug=unique_slug(InputPaper, title), submitted_by=member, **fields)
    if member.person_id:
        paper.authors.add(member.person)
    return paper


def post_upload(client, paper, name="paper.pdf", content=None):
    content = pdf_bytes("Urban safety and peacebuilding in Corregidora") if content is None else content
    return client.post(reverse("members:paper_upload", args=[paper.pk]), {"file": upload(name, content)})


def version_rows():
    return list(PaperVersion.objects.values_list("paper_id", "number", "file"))


def run_task_worker():
    """Run the background worker on what is queued, then return (as `manage.py db_worker --batch`)."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def read_file_response(response):
    """The bytes of a FileResponse. Reading it to the end lets the test client close the file (calling
    response.close() instead would also close the test's database connection, through request_finished)."""
    return b"".join(response.streaming_content)


def client_for(user):
    """A separate browser for one actor (the `client` fixture is shared by member_client and organizer_client)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
