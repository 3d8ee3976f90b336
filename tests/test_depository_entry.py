"""GET /depository/<slug>/: the entry page, its files, related entries, JSON-LD and citation meta tags."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.depository_helpers import attach, city, make_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def page(client, entry):
    return client.get(entry.get_absolute_url())


def test_entry_page_shows_the_entry(client):
    entry = make_entry(
        "Community mediation councils",
        kind="mechanism",
        summary="Councils that mediate neighbourhood disputes.",
        body="## How it works\n\nCouncils **meet** weekly.",
        annotation="Shows the *confluence* in practice.",
        authors="Ana Pérez; John Smith",
        publisher="UN-Habitat",
        year=2015,
        external_url="https://example.org/councils",
        themes=["mediation"],
        violence_types=["organized"],
        city_types=["post-conflict"],
        cities=[city("bogota", "Colombia")],
        tags=["councils"],
        evidence_level="documented",
        what_it_is="A council of residents.",
        who_implements="The municipality.",
        outcomes="Fewer disputes reached the police.",
    )
    response = page(client, entry)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h2>How it works</h2>" in content and "<strong>meet</strong>" in content
    assert "<em>confluence</em>" in content
    assert "Ana Pérez; John Smith" in content and "UN-Habitat" in content
    assert 'href="/depository/?theme=mediation"' in content
    assert 'href="/depository/?violence_type=organized"' in content
    assert 'href="/depository/?city_type=post-conflict"' in content
    assert 'href="/depository/?city=bogota"' in content
    assert 'href="/depository/?tag=councils"' in content
    assert 'href="/depository/?evidence=documented"' in content
    assert "https://example.org/councils" in content
    # The practice card
    assert "Practice card" in content and "A council of residents." in content and "The municipality." in content
    assert "Fewer disputes reached the police." in content and "Where it was used" in content
    assert "Lesson from failure" not in content


def test_lesson_from_failure_card(client):
    entry = make_entry(
        "Curfew that backfired",
        kind="lesson_from_failure",
        what_was_tried="A youth curfew.",
        what_went_wrong="It pushed gatherings to unlit places.",
        what_was_learned="Work with youth, not against them.",
    )
    content = page(client, entry).content.decode()
    assert "Lesson from failure" in content
    for text in ("A youth curfew.", "It pushed gatherings to unlit places.", "Work with youth, not against them."):
        assert text in content


def test_markdown_is_sanitized(client):
    entry = make_entry(
        "Hostile",
        body='<script>alert("x")</script>\n\n[link](javascript:alert(1)) <img src=x onerror=alert(1)>',
        summary="</script><script>alert(2)</script>",
    )
    content = page(client, entry).content.decode()
    assert "<script>alert" not in content
    assert "javascript:" not in content
    assert "onerror" not in content


def test_json_ld_and_highwire_meta(client):
    entry = make_entry(
        "Safer cities </script> report",
        kind="meeting_report",
        authors="Ana Pérez",
        publisher="UNOG",
        year=2014,
        summary="Key points.",
        tags=["inception"],
    )
    content = page(client, entry).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "Report" and data["name"] == "Safer cities </script> report"
    assert data["author"] == [{"@type": "Person", "name": "Ana Pérez", "familyName": "Pérez", "givenName": "Ana"}]
    assert data["datePublished"] == "2014" and data["publisher"]["name"] == "UNOG"
    assert '<meta name="citation_title" content="Safer cities &lt;/script&gt; report">' in content
    assert '<meta name="citation_author" content="Pérez, Ana">' in content
    assert '<meta name="citation_publication_date" content="2014">' in content
    # Cite this, by citeproc-py: the title's markup escaped.
    assert "Pérez, A. (2014). <i>Safer cities &lt;/script&gt; report</i>. UNOG." in content
    for fmt in ("ris", "bib", "json"):
        assert f'href="/depository/{entry.slug}/cite.{fmt}"' in content


def test_drafts_are_404_for_the_public_and_previewed_by_staff(organizer_client):
    entry = make_entry("Draft", status="draft")
    assert Client().get(entry.get_absolute_url()).status_code == 404
    response = organizer_client.get(entry.get_absolute_url())
    assert response.status_code == 200
    assert "Preview: this entry is not public." in response.content.decode()


def test_a_staff_account_that_may_not_curate_entries_sees_only_what_the_public_sees(client):
    from django.contrib.auth import get_user_model

    entry = make_entry("Draft", status="draft")
    published = make_entry("Published")
    hidden = attach(published, name="internal.pdf", content=b"%PDF-1.4 internal", is_public=False)
    staff = get_user_model().objects.create_user("clerk", password="clerk-pass-1", is_staff=True)
    client.force_login(staff)
    assert client.get(entry.get_absolute_url()).status_code == 404
    assert "internal.pdf" not in page(client, published).content.decode()
    assert (
        client.get(reverse("depository:attachment", kwargs={"slug": published.slug, "pk": hidden.pk})).status_code
        == 404
    )
    assert [e.title for e in client.get(reverse("depository:browse")).context["page"]] == ["Published"]


def test_files_are_listed_and_downloaded_through_a_view(client):
    entry = make_entry("With files")
    public = attach(entry, name="Report 2015.pdf", content=b"%PDF-1.4 public")
    hidden = attach(entry, name="internal.pdf", content=b"%PDF-1.4 internal", is_public=False)
    content = page(client, entry).content.decode()
    url = reverse("depository:attachment", kwargs={"slug": entry.slug, "pk": public.pk})
    assert f'href="{url}"' in content and "Report 2015.pdf" in content and "application/pdf" in content
    assert "internal.pdf" not in content
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 public"  # read to the end: the test client closes it
    assert 'filename="Report 2015.pdf"' in response["Content-Disposition"]
    hidden_url = reverse("depository:attachment", kwargs={"slug": entry.slug, "pk": hidden.pk})
    assert client.get(hidden_url).status_code == 404
    # The stored name is generated and never linked from the page.
    assert public.file.name not in content


def test_files_of_drafts_are_not_public(organizer_client):
    entry = make_entry("Draft with file", status="draft")
    attachment = attach(entry)
    url = reverse("depository:attachment", kwargs={"slug": entry.slug, "pk": attachment.pk})
    assert Client().get(url).status_code == 404
    response = organizer_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"  # read to the end: the test client closes it


def test_a_file_of_another_entry_is_404(client):
    entry = make_entry("One")
    other = make_entry("Two")
    attachment = attach(other)
    url = reverse("depository:attachment", kwargs={"slug": entry.slug, "pk": attachment.pk})
    assert client.get(url).status_code == 404


def test_related_entries_are_ranked_by_shared_facets_and_tags(client):
    entry = make_entry("Subject", themes=["lighting", "youth"], violence_types=["organized"], tags=["night"])
    make_entry("Shares one", themes=["lighting"])
    make_entry("Shares three", themes=["lighting", "youth"], tags=["night"])
    make_entry("Shares two", themes=["youth"], violence_types=["organized"])
    make_entry("Shares nothing", themes=["mediation"])
    make_entry("Draft sharing all", status="draft", themes=["lighting", "youth"], tags=["night"])
    related = [other.title for other in page(client, entry).context["related"]]
    assert related == ["Shares three", "Shares two", "Shares one"]


def test_meeting_the_entry_came_from(client, twg_records):
    from depository.models import Entry

    entry = Entry.objects.get(slug="inception-meeting-report-2014")
    content = page(client, entry).content.decode()
    assert "From the meeting" in content
    assert "Inception meeting" in content


def test_entry_page_query_count_does_not_grow(client, django_assert_num_queries):
    # 1 entry; its themes, city types, violence types, cities, tags, files, meetings reported and
    # related meetings, creators with their people (9 prefetches); 1 related entries, ranked in SQL;
    # 1 the internal tags to leave out; 1 where a harvested entry came from (harvest's entry_provenance)
    entry = make_entry("Subject", themes=["lighting"], tags=["night"], cities=["bogota"])
    attach(entry)
    make_entry("Related", themes=["lighting"])
    with django_assert_num_queries(13):
        client.get(entry.get_absolute_url())
    for number in range(3):
        make_entry(f"Related {number}", themes=["lighting", "youth"], tags=["night"])
        attach(entry, name=f"file-{number}.pdf")
    entry.themes.add(*entry.themes.model.objects.all())
    entry.tags.add("dark", "streets")
    with django_assert_num_queries(13):
        response = client.get(entry.get_absolute_url())
    assert len(response.context["related"]) == 4
    assert len(response.context["attachments"]) == 4
