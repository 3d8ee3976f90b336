"""Request bodies over their path's limit are refused from Content-Length, before anything reads them
(issue 13, finding 2; core/body_limits.py), and /healthz answers over plain HTTP under
SECURE_HTTPS (finding 7)."""

import io

import pytest
from django.urls import reverse

from core.body_limits import LOGIN_MAX_BODY_BYTES, MULTIPART_OVERHEAD_BYTES, body_limit_for
from depository.models import Attachment, Entry
from members.models import PaperVersion
from tests.members_helpers import make_paper, post_upload

pytestmark = [pytest.mark.django_db]


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads a byte of it."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the request body was read")


def post_declaring(client, path, length, **extra):
    """POST to `path` declaring `length` bytes of multipart body that are never sent."""
    return client.generic(
        "POST",
        path,
        data=b"",
        content_type="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": UnreadableBody()},
        **extra,
    )


def assert_refused_as_too_large(response, limit):
    assert response.status_code == 413
    content = response.content.decode()
    assert "The request is too large" in content
    assert f"{limit} bytes" in content
    assert response["Connection"] == "close"


def test_a_300_mb_anonymous_post_to_the_login_is_refused_unread(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = post_declaring(client, reverse("members:login"), 300 * 1024 * 1024)
    assert_refused_as_too_large(response, LOGIN_MAX_BODY_BYTES)


def test_a_real_multipart_login_carrying_a_file_is_refused(client):
    # Not just a declared length: a body of 100 KB that a browser really sends.
    response = client.post(
        reverse("members:login"),
        {"username": "amina", "password": "member-pass-1", "padding": io.BytesIO(b"x" * 100_000)},
    )
    assert_refused_as_too_large(response, LOGIN_MAX_BODY_BYTES)


def test_an_ordinary_login_still_works(client, member):
    response = client.post(reverse("members:login"), {"username": "amina", "password": "member-pass-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("members:dashboard")


@pytest.mark.parametrize("path", ["/admin/login/", "/members/password/reset/"])
def test_the_other_login_and_password_forms_have_the_small_limit(client, path):
    assert_refused_as_too_large(post_declaring(client, path, LOGIN_MAX_BODY_BYTES + 1), LOGIN_MAX_BODY_BYTES)


def test_a_paper_upload_over_its_limit_is_refused_before_it_is_read(
    member_client, member, media_roots, settings, django_assert_num_queries
):
    paper = make_paper(member)
    settings.MEMBERS_PAPER_MAX_BYTES = 20 * 1024 * 1024
    limit = settings.MEMBERS_PAPER_MAX_BYTES + MULTIPART_OVERHEAD_BYTES
    # No query at all: neither the session nor the paper is looked at before the refusal.
    with django_assert_num_queries(0):
        response = post_declaring(member_client, reverse("members:paper_upload", args=[paper.pk]), 300 * 1024 * 1024)
    assert_refused_as_too_large(response, limit)
    assert PaperVersion.objects.count() == 0


def test_a_paper_upload_just_over_the_body_limit_is_refused_and_one_within_is_checked_by_the_form(
    member_client, member, media_roots, settings
):
    paper = make_paper(member)
    settings.MEMBERS_PAPER_MAX_BYTES = 1000
    url = reverse("members:paper_upload", args=[paper.pk])
    limit = 1000 + MULTIPART_OVERHEAD_BYTES
    assert_refused_as_too_large(post_declaring(member_client, url, limit + 1), limit)
    # Within the body limit but over the file limit: the form's own message, as before.
    response = post_upload(member_client, paper, content=b"%PDF-1.4\n" + b"x" * 2000)
    assert response.status_code == 400
    assert "the limit is 1000" in response.content.decode()
    assert PaperVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("url_name", "setting"),
    [
        ("admin:depository_entry_add", "ATTACHMENT_MAX_UPLOAD_BYTES"),
        ("admin:depository_attachment_add", "ATTACHMENT_MAX_UPLOAD_BYTES"),
        ("admin:depository_entry_import", "ENTRY_IMPORT_MAX_BYTES"),
    ],
)
def test_the_admin_uploads_over_their_limit_are_refused_before_they_are_read(
    organizer_client, settings, url_name, setting, django_assert_num_queries
):
    limit = getattr(settings, setting) + MULTIPART_OVERHEAD_BYTES
    with django_assert_num_queries(0):
        response = post_declaring(organizer_client, reverse(url_name), limit + 1)
    assert_refused_as_too_large(response, limit)
    assert (Entry.objects.count(), Attachment.objects.count()) == (0, 0)


def test_an_entry_change_form_has_the_attachment_limit(settings):
    assert body_limit_for("/admin/depository/entry/12/change/") == (
        settings.ATTACHMENT_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES
    )


def test_a_form_without_a_file_is_limited_by_data_upload_max_memory_size(member_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = member_client.post(reverse("members:paper_create"), {"title": "x" * 20_000})
    assert_refused_as_too_large(response, 10_000)


def test_healthz_answers_over_plain_http_when_https_is_required(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    # Every other page still moves to HTTPS.
    response = client.get("/about/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
