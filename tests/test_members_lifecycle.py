"""The whole life of an input paper, through the real views, the admin and the background worker:
invite, accept, upload, submit, request changes, revise, accept, publish, extract the text."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from depository.models import Entry, EntryKind, EntryStatus
from members.models import InputPaper, Member, PaperStatus, PaperVersion
from tests.document_files import docx_bytes, pdf_bytes
from tests.members_helpers import read_file_response, stored_files, upload

BASE_DIR = Path(django_settings.BASE_DIR)


def run_db_worker(media_roots):
    """`manage.py db_worker` as `make run` starts it, bounded by --batch: runs what is queued, then exits."""
    public, private = media_roots
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "MEDIA_ROOT": str(public),
        "PRIVATE_MEDIA_ROOT": str(private),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def decide(organizer, paper, action, comment=""):
    response = organizer.post(
        reverse("admin:members_inputpaper_decide", args=[paper.pk]), {"action": action, "comment": comment}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    paper.refresh_from_db()
    return paper


@pytest.mark.servers
@pytest.mark.django_db(transaction=True)
def test_the_life_of_an_input_paper(organizer, media_roots):
    public_root, private_root = media_roots
    olga = Client()
    olga.force_login(organizer)

    # The organizer invites; the invitation arrives by e-mail.
    response = olga.post(reverse("admin:members_invitation_add"), {"invitees": "Rory Robertshaw <rory@example.org>"})
    assert response.status_code == 302
    (invitation_mail,) = mail.outbox
    link = next(line for line in invitation_mail.body.splitlines() if "/members/invitation/" in line)
    path = "/" + link.split("/", 3)[3].strip()

    # The new member accepts: password, person and organization.
    rory = Client()
    response = rory.post(
        path,
        {
            "username": "rory",
            "password1": "infrastructure-and-conflict",
            "password2": "infrastructure-and-conflict",
            "person_name": "Rory Robertshaw",
            "organization_name": "Isandla Institute",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(user__username="rory")

    # A draft with its first file.
    response = rory.post(
        reverse("members:paper_create"),
        {
            "title": "Urban infrastructure projects as a source of conflict",
            "abstract": "South Africa.",
            "language": "en",
        },
    )
    paper = InputPaper.objects.get()
    assert paper.submitted_by == member
    first = pdf_bytes("Infrastructure projects in Cape Town")
    assert (
        rory.post(reverse("members:paper_upload", args=[paper.pk]), {"file": upload("draft.pdf", first)}).status_code
        == 302
    )

    # Submit: the organizers hear of it.
    mail.outbox.clear()
    rory.post(reverse("members:paper_transition", args=[paper.pk, "submit"]), {"comment": "First draft."})
    paper.refresh_from_db()
    assert paper.status == PaperStatus.SUBMITTED
    assert [message.to for message in mail.outbox] == [["olga@example.org"]]

    # Review, then changes requested with a comment the author reads on the paper's page.
    decide(olga, paper, "start_review")
    decide(olga, paper, "request_changes", "Please add the Durban resettlement case.")
    assert paper.status == PaperStatus.CHANGES_REQUESTED
    assert "Please add the Durban resettlement case." in mail.outbox[-1].body
    assert mail.outbox[-1].to == ["rory@example.org"]
    page = rory.get(reverse("members:paper", args=[paper.pk])).content.decode()
    assert "Please add the Durban resettlement case." in page

    # A revision (a DOCX this time), submitted again.
    revision = docx_bytes("Resettlement in Durban and the conflicts of urban infrastructure")
    response = rory.post(reverse("members:paper_upload", args=[paper.pk]), {"file": upload("revised.docx", revision)})
    assert response.status_code == 302
    rory.post(reverse("members:paper_transition", args=[paper.pk, "submit"]), {"comment": "Durban added."})
    decide(olga, paper, "start_review")
    decide(olga, paper, "accept", "Thank you.")
    assert paper.status == PaperStatus.ACCEPTED

    # Nothing is public yet.
    anonymous = Client()
    assert anonymous.get(reverse("members:paper_file", args=[paper.pk, 2])).status_code == 404
    assert stored_files(public_root) == []

    # Publish: the depository entry carries the paper's metadata and its current file, publicly.
    decide(olga, paper, "publish", "Published for the Corregidora meeting.")
    assert paper.status == PaperStatus.PUBLISHED
    entry = Entry.objects.get(pk=paper.entry_id)
    assert (entry.kind, entry.status, entry.title) == (EntryKind.INPUT_PAPER, EntryStatus.PUBLISHED, paper.title)
    assert [(c.family, c.given, c.person.name) for c in entry.creators.all()] == [
        ("Robertshaw", "Rory", "Rory Robertshaw")
    ]
    assert entry.input_paper == paper
    (attachment,) = entry.attachments.all()
    current = PaperVersion.objects.get(paper=paper, number=2)
    assert (attachment.sha256, attachment.original_name, attachment.is_public) == (current.sha256, "revised.docx", True)
    assert stored_files(public_root) == [attachment.file.name]
    with attachment.file.open("rb") as handle:
        assert handle.read() == revision
    assert anonymous.get(entry.get_absolute_url()).status_code == 200
    # The private copies stay private.
    assert anonymous.get(reverse("members:paper_file", args=[paper.pk, 2])).status_code == 404
    assert read_file_response(rory.get(reverse("members:paper_file", args=[paper.pk, 1]))) == first

    # The background worker extracts the text of the versions and of the public attachment.
    worker = run_db_worker(media_roots)
    assert worker.returncode == 0, worker.stderr
    attachment.refresh_from_db()
    assert attachment.extraction_status == "done"
    assert "Resettlement in Durban" in attachment.extracted_text
    first_version = PaperVersion.objects.get(paper=paper, number=1)
    assert (first_version.extraction_status, first_version.page_count) == ("done", 1)
    assert "Infrastructure projects in Cape Town" in first_version.extracted_text

    # Practitioners find the published paper by a word that is only inside its file (stemmed: "resettled").
    assert "resettle" not in (entry.title + entry.summary + entry.body).lower()
    found = anonymous.get(reverse("depository:browse"), {"q": "resettled"}).content.decode()
    assert entry.get_absolute_url() in found

    # The history holds every step, with who and why.
    steps = list(paper.events.values_list("actor__username", "to_status"))
    assert steps == [
        ("rory", "submitted"),
        ("olga", "under_review"),
        ("olga", "changes_requested"),
        ("rory", "submitted"),
        ("olga", "under_review"),
        ("olga", "accepted"),
        ("olga", "published"),
    ]
