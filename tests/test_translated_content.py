"""Translated content (issue 6): facet terms, glossary terms, entries' titles and summaries per language,
falling back to the original; found by search in any of their languages; edited in the admin."""

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from depository.models import CityType, Entry, GlossaryTerm, Theme, ViolenceType
from tests.depository_helpers import make_entry, term

pytestmark = pytest.mark.django_db

BROWSE = reverse("depository:browse")


def visitor(language):
    """A visitor whose browser asks for `language` at the unprefixed addresses (/depository/...)."""
    return Client(headers={"accept-language": language})


@pytest.fixture
def translated():
    """An English entry translated into Spanish, with a theme translated and one not."""
    prevention = term(Theme, "prevention", name="Violence prevention", name_es="Prevención de la violencia")
    funding = term(Theme, "funding", name="Sustainable funding")  # no Spanish name
    gender = term(ViolenceType, "gender-based", name="Gender-based violence", name_es="Violencia de género")
    conflict = term(CityType, "conflict", name="Conflict setting", name_fr="Contexte de conflit")
    entry = make_entry(
        "Youth violence prevention in Medellín",
        slug="youth-violence-prevention",
        summary="How the city reduced youth violence.",
        title_es="Prevención de la violencia juvenil en Medellín",
        summary_es="Cómo la ciudad redujo la violencia juvenil.",
        themes=[prevention, funding],
        violence_types=["gender-based"],
        city_types=["conflict"],
    )
    other = make_entry("Street lighting audit", slug="street-lighting", themes=[prevention])
    return {"entry": entry, "other": other, "prevention": prevention, "gender": gender, "conflict": conflict}


# -- the models ------------------------------------------------------------------------------------
def test_a_term_shows_its_translation_or_falls_back_to_english(translated):
    prevention, conflict = translated["prevention"], translated["conflict"]
    with translation.override("es"):
        assert prevention.translated_name == "Prevención de la violencia"
        assert prevention.translated_name.language == "es"
        assert conflict.translated_name == "Conflict setting"  # French only
        assert conflict.translated_name.language == "en"
        assert prevention.translated_description == ""
    with translation.override("fr"):
        assert conflict.translated_name == "Contexte de conflit"
        assert prevention.translated_name == "Violence prevention"
    with translation.override("en"):
        assert prevention.translated_name == "Violence prevention"
    assert str(prevention) == "Violence prevention"  # the admin and exports keep the original


def test_an_entry_falls_back_to_its_own_language_not_to_english():
    entry = make_entry("Violencia urbana en Bogotá", language="es", title_en="Urban violence in Bogotá")
    with translation.override("en"):
        assert entry.translated_title == "Urban violence in Bogotá"
        assert entry.translated_title.language == "en"
    with translation.override("fr"):  # no French title: the original, in Spanish
        assert entry.translated_title == "Violencia urbana en Bogotá"
        assert entry.translated_title.language == "es"
    with translation.override("es"):
        assert entry.translated_title == "Violencia urbana en Bogotá"


def test_a_translation_into_the_entrys_own_language_is_refused():
    entry = Entry(title="Violencia urbana", slug="violencia-urbana", kind="tool", language="es", title_es="Otra")
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert set(error.value.message_dict) == {"title_es"}


def test_a_glossary_term_falls_back_per_field():
    glossary = GlossaryTerm.objects.create(
        term="Confluence", slug="confluence", definition="Where two fields meet.", term_ar="التقاء"
    )
    with translation.override("ar"):
        assert glossary.translated_term == "التقاء"
        assert glossary.translated_definition == "Where two fields meet."
        assert glossary.translated_definition.language == "en"


# -- the pages -------------------------------------------------------------------------------------
def test_browse_shows_titles_summaries_chips_and_facet_labels_in_spanish(translated):
    content = visitor("es").get(BROWSE, {"violence_type": "gender-based"}).content.decode()
    assert "Prevención de la violencia juvenil en Medellín" in content
    assert "Cómo la ciudad redujo la violencia juvenil." in content
    assert '<li class="chip" lang="es" dir="ltr">Prevención de la violencia</li>' in content  # the card's theme
    assert '<li class="chip" lang="en" dir="ltr">Sustainable funding</li>' in content  # not translated: English
    assert "Prevención de la violencia <span" in content  # the facet panel's label
    assert "Violencia de género <span" in content
    assert "Conflict setting <span" in content  # translated into French only
    assert "Tipo de violencia: Violencia de género" in content  # the active filter's chip
    assert "Youth violence prevention" not in content


def test_browse_in_english_shows_the_originals(translated):
    content = visitor("en").get(BROWSE).content.decode()
    assert "Youth violence prevention in Medellín" in content
    assert "Violence prevention <span" in content
    assert "Prevención" not in content


def test_staff_facet_panel_is_translated_too(translated, organizer_client):
    organizer_client.cookies["django_language"] = "es"
    content = organizer_client.get(BROWSE).content.decode()
    assert "Prevención de la violencia <span" in content
    assert "Violencia de género <span" in content


def test_entry_page_in_spanish_names_the_original_title(translated):
    content = visitor("es").get(translated["entry"].get_absolute_url()).content.decode()
    assert '<h1 lang="es" dir="ltr">Prevención de la violencia juvenil en Medellín</h1>' in content
    assert 'lang="es" dir="ltr">Prevención de la violencia</a>' in content  # the theme's link
    assert '<span lang="en" dir="ltr">Youth violence prevention in Medellín</span>' in content
    assert "<title>Prevención de la violencia juvenil en Medellín" in content
    assert "Cómo la ciudad redujo la violencia juvenil." in content
    assert ">Prevención de la violencia</a>" in content and ">Violencia de género</a>" in content
    assert ">Sustainable funding</a>" in content
    # The citation stays the bibliographic record: the original title.
    assert 'name="citation_title" content="Youth violence prevention in Medellín"' in content


def test_entry_page_related_entries_show_their_translated_titles(translated):
    content = visitor("es").get(translated["other"].get_absolute_url()).content.decode()
    assert ">Prevención de la violencia juvenil en Medellín</a>" in content


def test_entry_page_in_english_has_no_original_title_line(translated):
    content = visitor("en").get(translated["entry"].get_absolute_url()).content.decode()
    assert '<h1 lang="en" dir="ltr">Youth violence prevention in Medellín</h1>' in content
    assert "entry__original" not in content


def test_home_page_cards_are_translated(translated):
    content = visitor("es").get(reverse("home")).content.decode()
    assert '<h3 class="card__title" lang="es" dir="ltr">' in content
    assert "Prevención de la violencia juvenil en Medellín" in content
    # On a Spanish page every link is a Spanish address (issue 22).
    assert '<h3 class="card__title" lang="en" dir="ltr"><a href="/es/depository/street-lighting/">' in content


def test_glossary_in_spanish_falls_back_to_english_per_text():
    GlossaryTerm.objects.create(
        term="Integrated approach",
        slug="integrated-approach",
        definition="Safety and peacebuilding together.",
        term_es="Enfoque integrado",
        usage_notes="Listed among the key terms.",
        usage_notes_es="Entre los términos clave.",
    )
    content = visitor("es").get(reverse("depository:glossary")).content.decode()
    assert '<dt id="integrated-approach" lang="es" dir="ltr">Enfoque integrado</dt>' in content
    assert '<div lang="en" dir="ltr"><p>Safety and peacebuilding together.</p></div>' in content
    assert "Entre los términos clave." in content and "Listed among" not in content


def test_typology_and_literature_in_spanish(translated):
    content = visitor("es").get(reverse("depository:typology"), {"columns": "violence_type"}).content.decode()
    assert ">Violencia de género</a></th>" in content
    content = visitor("es").get(reverse("depository:typology")).content.decode()
    assert ">Conflict setting</a></th>" in content
    make_entry("A review", kind="publication", themes=[translated["prevention"]], title_es="Una revisión")
    content = visitor("es").get(reverse("depository:literature")).content.decode()
    assert ">Prevención de la violencia</h2>" in content
    assert ">Una revisión</a></h3>" in content


def test_feed_items_follow_the_language(translated):
    spanish = feedparser.parse(visitor("es").get(reverse("depository:feed")).content)
    english = feedparser.parse(visitor("en").get(reverse("depository:feed")).content)
    assert "Prevención de la violencia juvenil en Medellín" in [item.title for item in spanish.entries]
    assert "Youth violence prevention in Medellín" in [item.title for item in english.entries]


def count_queries(client, url):
    client.get(url)  # caches warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_translations_cost_no_query_whatever_the_number_of_entries(translated):
    """The same queries in Spanish as in English, for 2 entries as for 6: no query per row or language."""
    entry_url = translated["other"].get_absolute_url()
    urls = [BROWSE, f"{BROWSE}?q=violencia", "/", entry_url, reverse("depository:feed"), reverse("depository:glossary")]
    english = {url: count_queries(visitor("en"), url) for url in urls}
    spanish = {url: count_queries(visitor("es"), url) for url in urls}
    for number in range(4):
        make_entry(f"More {number}", title_es=f"Más {number}", themes=[translated["prevention"]])
    assert {url: count_queries(visitor("es"), url) for url in urls} == spanish == english


# -- search ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query", ["Prevención de la violencia juvenil", "prevencion violencia juvenil", "PREVENCIÓN juvenil medellin"]
)
def test_an_english_entry_is_found_by_its_spanish_title(translated, query):
    response = visitor("es").get(BROWSE, {"q": query})
    assert [entry.slug for entry in response.context["page"]] == ["youth-violence-prevention"]
    content = response.content.decode()
    assert "Prevención de la violencia juvenil en Medellín</a></h2>" in content


def test_the_spanish_summary_is_searched_and_english_queries_still_work(translated):
    assert [e.slug for e in visitor("en").get(BROWSE, {"q": "redujo"}).context["page"]] == ["youth-violence-prevention"]
    response = visitor("en").get(BROWSE, {"q": "youth violence"})
    assert [entry.slug for entry in response.context["page"]] == ["youth-violence-prevention"]
    assert "Youth violence prevention in Medellín</a></h2>" in response.content.decode()


def test_a_translation_is_searchable_as_soon_as_it_is_saved(translated):
    other = translated["other"]
    assert visitor("es").get(BROWSE, {"q": "alumbrado"}).context["page"].paginator.count == 0
    other.title_es = "Auditoría del alumbrado público"
    other.save()
    assert [e.slug for e in visitor("es").get(BROWSE, {"q": "alumbrado"}).context["page"]] == ["street-lighting"]
    other.title_es = ""
    other.save()
    assert visitor("es").get(BROWSE, {"q": "alumbrado"}).context["page"].paginator.count == 0


def test_a_spanish_title_match_ranks_first_by_relevance(translated):
    make_entry("Medellín youth programme notes", summary="Prevención juvenil mentioned in passing.")
    response = visitor("es").get(BROWSE, {"q": "prevencion juvenil", "sort": "relevance"})
    assert [entry.slug for entry in response.context["page"]][0] == "youth-violence-prevention"


# -- the admin -------------------------------------------------------------------------------------
def test_organizers_add_a_theme_with_its_translations(organizer_client):
    response = organizer_client.get(reverse("admin:depository_theme_add"))
    content = response.content.decode()
    assert "Name (Spanish)" in content and "Description (Arabic)" in content
    response = organizer_client.post(
        reverse("admin:depository_theme_add"),
        {
            "name": "Participatory approaches",
            "slug": "participatory-approaches",
            "description": "",
            "position": "0",
            "name_es": "Enfoques participativos",
            "name_fr": "Approches participatives",
            "name_ar": "النهج التشاركية",
            "description_es": "",
            "description_fr": "",
            "description_ar": "",
        },
    )
    assert response.status_code == 302
    theme = Theme.objects.get(slug="participatory-approaches")
    assert (theme.name_es, theme.name_fr, theme.name_ar) == (
        "Enfoques participativos",
        "Approches participatives",
        "النهج التشاركية",
    )
    changelist = organizer_client.get(reverse("admin:depository_theme_changelist"), {"q": "participativos"})
    assert list(changelist.context["cl"].result_list) == [theme]


def entry_form(entry, **changes):
    data = {
        "kind": entry.kind,
        "title": entry.title,
        "slug": entry.slug,
        "status": entry.status,
        "summary": entry.summary,
        "language": entry.language,
        "creators-TOTAL_FORMS": "0",
        "creators-INITIAL_FORMS": "0",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        **{name: getattr(entry, name) for name in Entry.translation_field_names()},
    }
    data.update(changes)
    return data


def test_organizers_translate_an_entry_and_find_it_by_its_spanish_title(organizer_client, translated):
    entry = translated["other"]
    url = reverse("admin:depository_entry_change", args=[entry.pk])
    assert "Title (Spanish)" in organizer_client.get(url).content.decode()
    response = organizer_client.post(url, entry_form(entry, title_es="Auditoría del alumbrado", summary_fr="Un audit."))
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry.refresh_from_db()
    assert (entry.title_es, entry.summary_fr) == ("Auditoría del alumbrado", "Un audit.")
    changelist = organizer_client.get(reverse("admin:depository_entry_changelist"), {"q": "alumbrado"})
    assert list(changelist.context["cl"].result_list) == [entry]
    assert [e.slug for e in visitor("es").get(BROWSE, {"q": "auditoria"}).context["page"]] == ["street-lighting"]


def test_the_admin_refuses_a_translation_into_the_entrys_own_language(organizer_client, translated):
    entry = translated["other"]
    url = reverse("admin:depository_entry_change", args=[entry.pk])
    response = organizer_client.post(url, entry_form(entry, title_en="Another English title"))
    assert response.status_code == 200
    assert "title_en" in response.context["adminform"].form.errors


def test_organizers_add_a_glossary_term_with_translations(organizer_client):
    data = {"term": "Nexus", "slug": "nexus", "definition": "", "usage_notes": "", "position": "0"}
    data |= dict.fromkeys(GlossaryTerm.translation_field_names(), "")
    data |= {"term_es": "Nexo", "definition_es": "Vínculo entre dos campos."}
    response = organizer_client.post(reverse("admin:depository_glossaryterm_add"), data)
    assert response.status_code == 302
    assert GlossaryTerm.objects.get(slug="nexus").definition_es == "Vínculo entre dos campos."


# -- records and spreadsheets ----------------------------------------------------------------------
def test_the_records_give_the_terms_translated_names_and_fill_blank_ones(twg_records):
    from portal.records import load_records

    gender = ViolenceType.objects.get(slug="gender-based")
    assert (gender.name_es, gender.name_fr) == ("Violencia de género", "Violence fondée sur le genre")
    assert Theme.objects.exclude(name_es="").count() == Theme.objects.count()
    gender.name_es = ""
    gender.name_fr = "Violences basées sur le genre"  # an organizer's own wording
    gender.save()
    load_records()
    gender.refresh_from_db()
    assert (gender.name_es, gender.name_fr) == ("Violencia de género", "Violences basées sur le genre")
    assert load_records().changed_nothing


def test_spreadsheets_carry_the_translations(translated):
    import tablib

    from depository.spreadsheets import EntryResource

    exported = EntryResource().export(Entry.objects.filter(slug="youth-violence-prevention"))
    assert exported.dict[0]["title_es"] == "Prevención de la violencia juvenil en Medellín"
    rows = tablib.Dataset(headers=["slug", "title", "title_fr"])
    rows.append(["street-lighting", "Street lighting audit", "Audit de l'éclairage public"])
    result = EntryResource().import_data(rows, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Entry.objects.get(slug="street-lighting").title_fr == "Audit de l'éclairage public"
    assert [e.slug for e in visitor("fr").get(BROWSE, {"q": "eclairage"}).context["page"]] == ["street-lighting"]
