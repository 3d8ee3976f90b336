"""The search's snippets (issue 23): text.headline_sql writes as SQL what an ORM SearchHeadline over the
card's text gave, so that a page of results no longer resolves and compiles that expression at each
search. The reference here is that expression, as it was: both must give the same snippet for entries
in each language, with and without a translation of the summary, an abstract and Markdown marks, in
each of the portal's languages."""

import pytest
from django.contrib.postgres.search import SearchHeadline
from django.db.models import Case, Func, TextField, Value, When
from django.db.models.functions import Concat, Left
from django.utils import translation

from depository.models import Entry
from depository.search import text
from tests.depository_helpers import make_entry

pytestmark = pytest.mark.django_db


def reference_headline(query):
    """The ORM expression text.with_headline used before (2026-12-04)."""
    config = Case(
        *[When(language=code, then=Value(name)) for code, name in text.SEARCH_CONFIGS.items()],
        default=Value(text.FALLBACK_CONFIG),
    )
    source = Func(
        Left(
            Concat(Entry.translated_expression("summary"), Value(" "), "abstract", output_field=TextField()),
            text.HEADLINE_SOURCE_CHARACTERS,
        ),
        Value(r"[#*_`|]+"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    return SearchHeadline(
        source,
        text._query_in_entry_language(query),
        config=config,
        start_sel="<mark>",
        stop_sel="</mark>",
        max_words=35,
        min_words=15,
        max_fragments=2,
    )


@pytest.fixture
def entries():
    long = " ".join(["Community policing in informal settlements reduces violence."] * 60)  # past 2,000 characters
    make_entry("Safer streets", language="en", summary="**Community** policing and _street_ lighting | prevention")
    make_entry(
        "Calles seguras",
        language="es",
        summary="Prevención comunitaria de la violencia",
        abstract="Policía comunitaria.",
    )
    make_entry(
        "Villes sûres",
        language="fr",
        summary="La prévention de la violence dans les quartiers.",
        summary_en="Violence prevention in the neighbourhoods.",
        summary_es="Prevención de la violencia en los barrios.",
    )
    make_entry("مدن آمنة", language="ar", summary="منع العنف في المدن", summary_fr="Prévenir la violence en ville.")
    make_entry("Long", language="en", summary=long, abstract="community")
    make_entry("Empty", language="en", summary="", abstract="")
    make_entry("Other language", language="pt", summary="Prevenção da violência comunitária.")


@pytest.mark.parametrize("language", ["en", "es", "fr", "ar"])
@pytest.mark.parametrize("query", ["community policing", "violence", "prévention", '"street lighting"', "العنف"])
def test_the_snippet_is_what_the_orm_expression_gave(entries, language, query):
    with translation.override(language):
        written = dict(text.with_headline(Entry.objects.all(), query).values_list("slug", "headline"))
        reference = dict(Entry.objects.annotate(headline=reference_headline(query)).values_list("slug", "headline"))
    assert written == reference
    assert len(written) == 7


def test_a_snippet_marks_the_words_found(entries):
    with translation.override("en"):
        snippets = dict(text.with_headline(Entry.objects.all(), "community").values_list("title", "headline"))
    assert "<mark>Community</mark>" in snippets["Safer streets"] and "*" not in snippets["Safer streets"]
    assert snippets["Empty"].strip() == ""
