"""Publishing an accepted paper: a depository entry with its metadata and current file, all or nothing."""

import pytest
from django.db import DatabaseError
from django.urls import reverse

from depository.models import Attachment, CityType, Entry, EntryKind, EntryStatus, Theme
from members.models import PaperEvent, PaperStatus
from members.services.papers import PaperRefused
from members.services.publishing import publish_paper
from tests.document_files import pdf_bytes
from tests.members_helpers import client_for, make_paper, post_upload, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted_paper(member, media_roots):
    paper = make_paper(member, abstract="How infrastructure causes conflict.", language="fr")
    paper.themes.add(Theme.objects.create(name="Urban infrastructure and conflict", slug="infrastructure"))
    paper.city_types.add(CityType.objects.create(name="Post-conflict city", slug="post-conflict"))
    paper.tags.add("infrastructure")
    post_upload(client_for(member.user), paper, name="final.pdf", content=pdf_bytes("Final text"))
    paper.status = PaperStatus.ACCEPTED
    paper.save()
    return paper


def test_publishing_creates_the_entry_with_metadata_facets_and_file(accepted_paper, organizer, media_roots):
    publish_paper(paper=accepted_paper, user=organizer, comment="Welcome.")
    accepted_paper.refresh_from_db()
    entry = accepted_paper.entry
    assert accepted_paper.status == PaperStatus.PUBLISHED
    assert (entry.kind, entry.status, entry.language, entry.summary) == (
        EntryKind.INPUT_PAPER,
        EntryStatus.PUBLISHED,
        "fr",
        "How infrastructure causes conflict.",
    )
    assert [theme.slug for theme in entry.themes.all()] == ["infrastructure"]
    assert [item.slug for item in entry.city_types.all()] == ["post-conflict"]
    assert entry.tags.names()[0] == "infrastructure"
    assert entry.curated_by == organizer
    attachment = entry.attachments.get()
    assert (attachment.original_name, attachment.is_public, attachment.extraction_status) == (
        "final.pdf",
        True,
        "pending",
    )
    public, _ = media_roots
    assert stored_files(public) == [attachment.file.name]
    assert Entry.objects.published().filter(pk=entry.pk).exists()


def test_publishing_updates_an_existing_entry(accepted_paper, organizer, media_roots):
    entry = Entry.objects.create(kind=EntryKind.INPUT_PAPER, title="Announced paper", slug="announced-paper")
    accepted_paper.entry = entry
    accepted_paper.save()
    publish_paper(paper=accepted_paper, user=organizer)
    entry.refresh_from_db()
    assert (entry.title, entry.status, entry.slug) == (accepted_paper.title, EntryStatus.PUBLISHED, "announced-paper")
    assert Entry.objects.count() == 1
    assert entry.attachments.count() == 1


def test_only_an_accepted_paper_is_published(member, organizer, media_roots):
    paper = make_paper(member, status=PaperStatus.UNDER_REVIEW)
    with pytest.raises(PaperRefused):
        publish_paper(paper=paper, user=organizer)
    assert not Entry.objects.exists()


def test_only_organizers_publish(accepted_paper, member, second_member):
    for user in (member.user, second_member.user):
        with pytest.raises(PaperRefused):
            publish_paper(paper=accepted_paper, user=user)
    assert not Entry.objects.exists()


def test_if_the_last_step_fails_nothing_is_published(accepted_paper, organizer, media_roots, monkeypatch):
    """The event (the last write) fails: no entry, no attachment, no public file, the paper still accepted."""

    def failing_save(self, *args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(PaperEvent, "save", failing_save)
    with pytest.raises(DatabaseError):
        publish_paper(paper=accepted_paper, user=organizer)
    public, private = media_roots
    assert stored_files(public) == []
    assert len(stored_files(private)) == 1
    assert not Entry.objects.exists()
    assert not Attachment.objects.exists()
    accepted_paper.refresh_from_db()
    assert (accepted_paper.status, accepted_paper.entry_id) == (PaperStatus.ACCEPTED, None)


def test_a_failure_from_the_admin_leaves_a_page_not_half_a_publication(
    accepted_paper, organizer_client, media_roots, monkeypatch
):
    def failing_save(self, *args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(Attachment, "save", failing_save)
    with pytest.raises(DatabaseError):
        organizer_client.post(
            reverse("admin:members_inputpaper_decide", args=[accepted_paper.pk]), {"action": "publish"}
        )
    public, _ = media_roots
    assert stored_files(public) == []
    assert not Entry.objects.exists()


def test_the_published_paper_page_links_the_entry(accepted_paper, organizer, member_client):
    publish_paper(paper=accepted_paper, user=organizer)
    accepted_paper.refresh_from_db()
    page = member_client.get(reverse("members:paper", args=[accepted_paper.pk])).content.decode()
    assert accepted_paper.entry.get_absolute_url() in page
