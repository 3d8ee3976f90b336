"""Issue 13, finding 7: "The file is 20.0 MB; the limit is 20.0 MB" -> exact bytes when the rounded
figures tie, in every message that compares a size with a limit (core/sizes.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests.members_helpers import make_paper, post_upload

pytestmark = pytest.mark.django_db

KB = 1024
MB = 1024 * 1024


def test_a_member_paper_one_byte_over_twenty_megabytes(member_client, member, media_roots, settings):
    assert settings.MEMBERS_PAPER_MAX_BYTES == 20 * MB
    paper = make_paper(member)
    response = post_upload(member_client, paper, content=b"%PDF-1.4\n" + b"0" * (20 * MB + 1 - 9))
    assert response.status_code == 400
    assert "The file is 20,971,521 bytes; the limit is 20,971,520 bytes." in response.content.decode()


def test_rounded_figures_that_differ_stay_rounded(member_client, member, media_roots, settings):
    # The body-limit middleware (core/body_limits.py) allows the limit plus 64 KB of multipart
    # overhead before the form sees the file: a file over the form's limit but within that margin.
    settings.MEMBERS_PAPER_MAX_BYTES = 200 * KB
    paper = make_paper(member)
    response = post_upload(member_client, paper, content=b"%PDF-1.4\n" + b"0" * (250 * KB - 9))
    assert response.status_code == 400
    assert "The file is 250.0\xa0KB; the limit is 200.0\xa0KB." in response.content.decode()


def test_the_entry_import_says_bytes_when_the_figures_tie(organizer_client, settings):
    settings.ENTRY_IMPORT_MAX_BYTES = 2 * MB
    upload = SimpleUploadedFile("entries.csv", b"title\n" + b"x" * (2 * MB), content_type="text/csv")
    response = organizer_client.post(
        reverse("admin:depository_entry_import"), {"resource": "0", "format": "0", "import_file": upload}
    )
    assert "The file is 2,097,158 bytes; the limit is 2,097,152 bytes." in response.content.decode()


def test_the_briefing_pack_message_says_bytes_when_the_figures_tie():
    template = Template("{% load sizes %}{{ size|size_beside:limit }} / {{ limit|limit_beside:size }}")
    assert template.render(Context({"size": 50 * MB + 1, "limit": 50 * MB})) == "52,428,801 bytes / 52,428,800 bytes"
    assert template.render(Context({"size": 60 * MB, "limit": 50 * MB})) == "60.0\xa0MB / 50.0\xa0MB"


def test_bytes_are_grouped_in_the_visitors_language():
    from core.sizes import size_and_limit

    with translation.override("fr"):
        text = size_and_limit(20 * MB + 1, 20 * MB)["size"]
    assert text.startswith("20\u202f971\u202f521") or text.startswith("20\xa0971\xa0521"), text
