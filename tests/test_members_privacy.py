"""Unpublished files stay out of every public path, and leave with their rows."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from members.checks import private_media_is_not_served
from members.models import PaperVersion
from tests.members_helpers import client_for, make_paper, post_upload, stored_files


def test_the_private_root_is_outside_media_and_static(settings):
    assert private_media_is_not_served(None) == []
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for public in (Path(settings.MEDIA_ROOT).resolve(), Path(settings.STATIC_ROOT).resolve()):
        assert public not in private.parents and private != public


def test_a_private_root_inside_media_fails_the_system_check(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media" / "private"
    (error,) = private_media_is_not_served(None)
    assert error.id == "members.E001"
    with pytest.raises(SystemCheckError):
        call_command("check")


def test_private_files_have_no_url(member, media_roots, db):
    paper = make_paper(member)
    post_upload(client_for(member.user), paper)
    version = PaperVersion.objects.get()
    with pytest.raises(ValueError, match="no URL"):
        version.file.url  # noqa: B018


@pytest.mark.django_db
def test_deleting_a_paper_deletes_its_private_files(
    member, organizer_client, media_roots, django_capture_on_commit_callbacks
):
    paper = make_paper(member)
    author = client_for(member.user)
    post_upload(author, paper)
    post_upload(author, paper)
    _, private = media_roots
    assert len(stored_files(private)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(reverse("admin:members_inputpaper_delete", args=[paper.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not PaperVersion.objects.exists()
    assert stored_files(private) == []
