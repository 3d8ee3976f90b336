"""GET /depository/<slug>/: the entry page, its files, related entries, JSON-LD and citation meta tags."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from depository import record
from depository.models import Entry
from tests.depository_helpers import attach, city, journal_article, make_entry

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


# -- The whole bibliographic record (issue 20) ------------------------------------------------------------
def record_block(content):
    return content.split('<section class="record"', 1)[1].split("</section>", 1)[0]


def test_the_record_block_shows_every_field_with_a_value(client):
    entry = journal_article()
    content = page(client, entry).content.decode()
    record = record_block(content)
    assert "Bibliographic record" in record
    assert "<dt>Type</dt><dd>Journal article</dd>" in record
    published_in = "<cite>Journal of Urban Safety</cite>, volume 12, issue 3, pages 45-67"
    assert f"<dt>Published in</dt><dd>{published_in}</dd>" in record
    assert "<dt>Series</dt><dd>Safer Cities Papers, no. 7</dd>" in record
    assert "<dt>Publisher</dt><dd>Urban Press, Nairobi</dd>" in record
    # The date at its precision: the month and year only.
    assert '<dt>Date issued</dt><dd><time datetime="2019-03">March 2019</time></dd>' in record
    assert '<dt>Originally published</dt><dd><time datetime="2017">2017</time></dd>' in record
    assert 'href="https://doi.org/10.1234/jus.2019.12.3.45"' in record and "<dd>1234-5679</dd>" in record
    assert '<dt>Date accessed</dt><dd><time datetime="2020-05-04">4 May 2020</time></dd>' in record
    assert "<dt>Archive</dt><dd>UN-Habitat Library, Box 12</dd>" in record
    # Other CSL variables, named readably; a reference manager's own field only with the notes.
    assert "<dt>PMID</dt><dd>31234567</dd>" in record and "<dt>Original publisher</dt><dd>City Press</dd>" in record
    assert "Field notes" not in record
    # Fields without a value have no row.
    for absent in ("Edition", "Event", "Number of pages", "ISBN", "Call number"):
        assert f"<dt>{absent}</dt>" not in record


def test_the_rights_have_a_row(db):
    entry = journal_article(rights="CC BY 4.0")
    assert ("Rights", "CC BY 4.0") in [(row.label, row.value) for row in record.record_rows(entry)]


def test_the_abstract_keywords_and_the_link_to_the_text(client):
    entry = journal_article()
    content = page(client, entry).content.decode()
    abstract = content.split('<section class="entry__abstract"', 1)[1].split("</section>", 1)[0]
    assert '<div lang="en" dir="ltr"><p>Residents of two peripheral districts' in abstract
    assert "<p>The maps changed" in abstract  # its paragraphs kept
    assert "<dt>Keywords</dt>" in content and 'href="/depository/?tag=participatory-mapping"' in content
    # No public PDF: the work's own link.
    source = '<a class="button" href="https://example.org/jus/periphery" rel="noopener noreferrer">'
    assert f"{source}Read at the source</a>" in content
    attach(entry, name="article.pdf")
    content = page(client, entry).content.decode()
    pdf = r'<a class="button" href="/depository/policing-the-periphery/files/\d+/" download>Download PDF</a>'
    assert re.search(pdf, content)


def test_without_a_link_the_doi_is_the_source(client):
    entry = journal_article(external_url="", slug="no-link")
    assert 'href="https://doi.org/10.1234/jus.2019.12.3.45" rel="noopener noreferrer">Read at the source</a>' in (
        page(client, entry).content.decode()
    )


def test_notes_are_for_organizers_unless_public(organizer_client):
    entry = journal_article()
    assert "Checked against the publisher" not in page(Client(), entry).content.decode()
    content = page(organizer_client, entry).content.decode()
    assert "Checked against the publisher" in content and "Only organizers see these notes." in content
    assert '<li lang="en" dir="ltr">C1: Field notes</li>' in content
    entry.note_is_public = True
    entry.save()
    content = page(Client(), entry).content.decode()
    assert "Checked against the publisher" in content and "Only organizers see these notes." not in content


def test_the_date_issued_at_each_precision_in_the_pages_language(client):
    entry = journal_article(date_issued=datetime.date(2019, 3, 4), date_issued_precision="day")
    assert '<time datetime="2019-03-04">4 March 2019</time>' in record_block(page(client, entry).content.decode())
    Entry.objects.filter(pk=entry.pk).update(date_issued=None)
    assert '<dt>Date issued</dt><dd><time datetime="2019">2019</time></dd>' in record_block(
        page(client, entry).content.decode()
    )
    Entry.objects.filter(pk=entry.pk).update(date_issued=datetime.date(2019, 3, 1), date_issued_precision="month")
    spanish = client.get(f"/es{entry.get_absolute_url()}", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<time datetime="2019-03">marzo de 2019</time>' in record_block(spanish)


def test_a_record_in_another_language_than_the_page_is_marked(client):
    entry = journal_article(language="fr", container_title="Revue des villes", abstract="Un résumé.")
    content = client.get(f"/ar{entry.get_absolute_url()}").content.decode()
    assert '<cite><span lang="fr" dir="ltr">Revue des villes</span></cite>' in record_block(content)
    assert '<div lang="fr" dir="ltr"><p>Un résumé.</p></div>' in content


def test_the_record_costs_no_query(client, django_assert_num_queries):
    entry = journal_article()
    attach(entry)
    with django_assert_num_queries(13):  # as the page count above (with the provenance)
        client.get(entry.get_absolute_url())
