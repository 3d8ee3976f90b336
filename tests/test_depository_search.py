"""Full-text search: stored weighted vectors, accents, stemming in four languages, attachment text."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from depository import search
from depository.models import Entry, EntrySearchDocument
from tests.depository_helpers import attach, make_entry

pytestmark = pytest.mark.django_db


def titles(client, **params):
    response = client.get(reverse("depository:browse"), params)
    assert response.status_code == 200
    return [entry.title for entry in response.context["page"]]


def test_search_document_is_stored_weighted_and_indexed(db):
    entry = make_entry("Violence observatory", summary="Summary words", body="Body words")
    assert not EntrySearchDocument.objects.filter(entry=entry).exists()  # written at commit, not before
    assert search.flush() == 1
    document = EntrySearchDocument.objects.get(entry=entry)
    assert document.language == "en"
    text = str(document.document)
    assert "'violenc':1A" in text and "'summari':3B" in text and "'bodi':5C" in text
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'entry_search_document_en'")
        assert "USING gin (document)" in cursor.fetchone()[0]


def test_document_follows_every_save(client):
    entry = make_entry("Street lighting audit")
    assert titles(client, q="lighting") == ["Street lighting audit"]
    entry.title = "Safety walk"
    entry.save()
    assert titles(client, q="lighting") == []
    assert titles(client, q="walk") == ["Safety walk"]


@pytest.mark.parametrize(
    ("language", "text", "query"),
    [
        ("en", "Preventing violence in cities", "prevention"),  # stemming
        ("en", "The café programme", "cafe"),  # accents
        ("es", "Violência urbana y prevención", "violencia"),
        ("es", "Ciudades más seguras", "mas seguro"),
        ("fr", "Les villes résilientes", "ville resiliente"),
        ("fr", "Sécurité des quartiers", "securite quartier"),
        ("ar", "العنف في المدن", "مدن"),
        ("ar", "عُنْف الشباب", "عنف"),  # diacritics
    ],
)
def test_accent_insensitive_stemmed_search_in_each_language(client, language, text, query):
    make_entry(text, language=language)
    make_entry("Unrelated entry about funding", language=language)
    assert titles(client, q=query) == [text]


def test_query_is_matched_against_each_entry_in_its_own_language(client):
    # 'villes' stems to 'vill' in French only; the French entry is found by a French query.
    make_entry("Villes et violence", language="fr")
    make_entry("Cities and violence", language="en")
    assert titles(client, q="ville") == ["Villes et violence"]
    assert titles(client, q="violence", sort="title") == ["Cities and violence", "Villes et violence"]


def test_websearch_syntax_phrases_or_and_negation(client):
    make_entry("Crime prevention through design", body="urban design")
    make_entry("Prevention of crime among youth", body="youth programmes")
    make_entry("Gang violence", body="youth gangs")
    assert titles(client, q='"crime prevention"') == ["Crime prevention through design"]
    assert set(titles(client, q="gang or design")) == {"Crime prevention through design", "Gang violence"}
    assert titles(client, q="youth -gang") == ["Prevention of crime among youth"]


def test_title_ranks_above_summary_above_body_above_attachments(client):
    make_entry("Attachment only", summary="nothing")
    attach(Entry.objects.get(title="Attachment only"), extracted_text="mediation")
    make_entry("Body only", body="mediation")
    make_entry("Summary only", summary="mediation")
    make_entry("Mediation in the title")
    assert titles(client, q="mediation") == ["Mediation in the title", "Summary only", "Body only", "Attachment only"]


def test_search_finds_a_word_only_in_an_attachments_extracted_text(client):
    entry = make_entry("Annual report of the observatory")
    attachment = attach(entry, extracted_text="")
    assert titles(client, q="polycentric") == []
    # What the files' text extraction does once the task has run: save the extracted text.
    attachment.extracted_text = "A polycentric governance model for municipal safety councils."
    attachment.save()
    assert titles(client, q="polycentric") == ["Annual report of the observatory"]


def test_deleting_an_attachment_removes_its_words(client, django_capture_on_commit_callbacks):
    entry = make_entry("Observatory report")
    attachment = attach(entry, extracted_text="polycentric")
    with django_capture_on_commit_callbacks(execute=True):
        attachment.delete()
    assert titles(client, q="polycentric") == []


def test_search_shows_highlighted_escaped_snippets(client):
    make_entry("Lighting", summary="Better <script>alert(1)</script> street lighting reduces fear of crime.")
    response = client.get(reverse("depository:browse"), {"q": "lighting"})
    content = response.content.decode()
    assert "<mark>lighting</mark>" in content
    assert "<script>alert(1)</script>" not in content


def test_snippets_come_from_the_text_the_card_shows_in_the_pages_language(client):
    """Issue 23: the snippet is cut from the summary in the page's language and the abstract, never the
    body (ts_headline over the body was most of a snippet's cost); its marks are the only markup."""
    make_entry(
        "Lighting audit",
        summary="Street <b>lighting</b> reduces fear of crime.",
        summary_es="El alumbrado <i>público</i> reduce el miedo al delito y la iluminación ayuda.",
        abstract="Residents walked with planners after dark.",
        body="The body says lighting and planners again, at length.",
    )
    content = client.get(reverse("depository:browse"), {"q": "lighting"}).content.decode()
    snippet = re.search(r'<p class="card__summary"[^>]*>(.*?)</p>', content).group(1)
    assert "<mark>lighting</mark>" in snippet and "fear of crime" in snippet
    assert "<b>" not in snippet and "body says" not in snippet
    content = client.get(reverse("depository:browse"), {"q": "planners"}).content.decode()
    snippet = re.search(r'<p class="card__summary"[^>]*>(.*?)</p>', content).group(1)
    assert "<mark>planners</mark>" in snippet and "body says" not in snippet  # from the abstract
    spanish = client.get("/es" + reverse("depository:browse"), {"q": "lighting"}, HTTP_ACCEPT_LANGUAGE="es")
    snippet = re.search(r'<p class="card__summary"[^>]*>(.*?)</p>', spanish.content.decode()).group(1)
    assert "alumbrado" in snippet and "<i>" not in snippet and "fear of crime" not in snippet


def test_a_match_only_in_the_body_shows_the_summary_unmarked(client, django_assert_num_queries):
    """Issue 23: where the words are only in the body (or the title, or a file), the card's own text
    holds nothing to mark, so no snippet is asked for: the card shows its summary's first words, as
    without a search, on every path a page takes (ranked, sorted by date)."""
    make_entry("Market stalls", summary="Traders keep their stalls open late. " * 8, body="One kidnapping in 2019.")
    make_entry("Kidnapping responses", summary="What the cities did.")
    for params in [{"q": "kidnapping"}, {"q": "kidnapping", "sort": "newest"}]:
        with django_assert_num_queries(2):
            content = client.get(reverse("depository:browse"), params).content.decode()
        snippets = re.findall(r'<p class="card__summary"[^>]*>(.*?)</p>', content)
        assert "<mark>" not in content
        assert "What the cities did." in snippets
        assert any(
            snippet.startswith("Traders keep their stalls open late.") and snippet.endswith("…") for snippet in snippets
        )


def test_drafts_are_not_found_by_the_public(organizer_client):
    make_entry("Draft mediation toolkit", status="draft")
    assert titles(Client(), q="mediation") == []
    assert titles(organizer_client, q="mediation") == ["Draft mediation toolkit"]


# -- The whole bibliographic record (issue 20): the abstract, the keywords, where it was published ---------
def test_a_word_only_in_the_abstract_finds_the_work(client):
    make_entry("Street lighting audit", abstract="Residents walked the neighbourhood after dark with planners.")
    make_entry("Unrelated entry about funding")
    assert titles(client, q="planners") == ["Street lighting audit"]


def test_changing_only_the_abstract_reindexes_the_work(client):
    entry = make_entry("Street lighting audit", abstract="A first abstract.")
    assert titles(client, q="marketplace") == []
    entry.abstract = "The audit covered the central marketplace."
    entry.save(update_fields=["abstract"])  # only the abstract's column is written
    assert titles(client, q="marketplace") == ["Street lighting audit"]
    Entry.objects.filter(pk=entry.pk).update(abstract="Bus stops at night.")  # and without the model's save
    assert titles(client, q="marketplace") == []
    assert titles(client, q="bus stops") == ["Street lighting audit"]


def test_a_keyword_finds_the_work_and_links_to_its_filter(client):
    entry = make_entry("Street lighting audit", tags=["participatory mapping", "night"])
    make_entry("Unrelated entry about funding", tags=["budgets"])
    assert titles(client, q="mapping") == ["Street lighting audit"]
    assert titles(client, q='"participatory mapping"') == ["Street lighting audit"]
    tag = entry.tags.get(name="participatory mapping")
    assert titles(client, tag=tag.slug) == ["Street lighting audit"]


def test_where_it_was_published_is_searchable_below_what_it_is_about(client):
    article = make_entry(
        "Policing the periphery",
        container_title="Journal of Urban Health",
        collection_title="Safer Cities Series",
    )
    about = make_entry("Neighbourhood clinics", abstract="Urban health services as violence prevention.")
    search.flush()
    document = str(EntrySearchDocument.objects.get(entry=article).document)
    assert re.search(r"'journal':\d+C", document) and re.search(r"'seri':\d+C", document)
    assert re.search(r"'servic':\d+B", str(EntrySearchDocument.objects.get(entry=about).document))
    assert titles(client, q="safer cities series") == ["Policing the periphery"]
    # The abstract (B) ranks above the journal's name (C).
    assert titles(client, q="urban health", sort="relevance") == ["Neighbourhood clinics", "Policing the periphery"]
