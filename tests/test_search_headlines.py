"""The search's snippets (issue 23): text.headline_sql writes as SQL what an ORM SearchHeadline over the
card's text gave, so that a page of results no longer resolves and compiles that expression at each
search. The reference here is that expression, as it was: both must give the same snippet for entries
in each language, with and without a translation of the summary, an abstract and Markdown marks, in
each of the portal's languages. Where none of the query's words is in the entry's summaries, abstract
or names (its document's weight B), ts_headline could mark nothing: no snippet is asked for, and the
card shows the summary as it does without a search."""

import pytest
from django.contrib.postgres.search import SearchHeadline
from django.db import connection
from django.db.models import Case, Func, TextField, Value, When
from django.db.models.functions import Concat, Left
from django.utils import translation

from depository import search
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
    search.flush()  # their search documents, as at the commit


@pytest.mark.parametrize("language", ["en", "es", "fr", "ar"])
@pytest.mark.parametrize("query", ["community policing", "violence", "prévention", '"street lighting"', "العنف"])
def test_the_snippet_is_what_the_orm_expression_gave(entries, language, query):
    with translation.override(language):
        written = dict(text.with_headline(Entry.objects.all(), query).values_list("slug", "headline"))
        reference = dict(Entry.objects.annotate(headline=reference_headline(query)).values_list("slug", "headline"))
    assert len(written) == len(reference) == 7
    for slug, snippet in written.items():
        # A snippet is the reference's; none only where the reference marks nothing.
        assert snippet == reference[slug] or (snippet is None and "<mark>" not in reference[slug]), slug
    assert any(snippet is not None for snippet in written.values())


def test_a_snippet_marks_the_words_found(entries):
    with translation.override("en"):
        snippets = dict(text.with_headline(Entry.objects.all(), "community").values_list("title", "headline"))
    assert "<mark>Community</mark>" in snippets["Safer streets"] and "*" not in snippets["Safer streets"]
    assert snippets["Empty"] is None  # nothing to mark in an empty text: the card shows no summary


def test_no_snippet_where_the_words_are_only_in_the_body_or_title(entries):
    body_only = make_entry("Markets", language="en", summary="Traders and their stalls.", body="A kidnapping in 2019.")
    title_only = make_entry("Kidnapping responses", language="en", summary="What cities did.")
    search.flush()
    with translation.override("en"):
        snippets = dict(text.with_headline(Entry.objects.all(), "kidnapping").values_list("pk", "headline"))
        referenced = Entry.objects.annotate(headline=reference_headline("kidnapping"))
        reference = dict(referenced.values_list("pk", "headline"))
    assert snippets[body_only.pk] is None and snippets[title_only.pk] is None
    assert "<mark>" not in reference[body_only.pk]  # what it would have been: the first words, nothing marked


def test_a_word_only_in_the_names_still_asks_for_the_snippet(entries):
    """Weight B holds the themes' and keywords' names too: the snippet is then asked for, and gives the
    card's text unmarked, as before."""
    entry = make_entry("Markets", language="en", summary="Traders and their stalls.", themes=["kidnapping"])
    search.flush()
    with translation.override("en"):
        found = text.with_headline(Entry.objects.filter(pk=entry.pk), "kidnapping")
        snippet = found.values_list("headline", flat=True)[0]
    assert snippet is not None and "Traders" in snippet and "<mark>" not in snippet


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("kidnapping", "'kidnap'"),
        ("crime prevention", "'crime' | 'prevent'"),  # either word can be marked
        ("youth -gangs", "'youth'"),  # the negated word is in no entry the search found
        ('"street lighting" safety', "'street' | 'light' | 'safeti'"),
        ("crime or violence", "'crime' | 'violenc'"),
        ('"city of peace" -"armed gangs"', "'citi' | 'peac'"),  # a phrase over a stop word: <2>
        ("-gangs", None),  # only a negated word: nothing to mark
        ("the of", None),  # only stop words
    ],
)
def test_the_words_a_snippet_can_mark(query, words):
    """depository_any_word (sql/search_v11.sql; search_v5.sql's answers): the query's positive words, any
    of them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT depository_any_word(websearch_to_tsquery('twg_english', %s))::text", [query])
        assert cursor.fetchone()[0] == words


@pytest.mark.parametrize(
    ("query", "words"),
    [
        (("twg_english", "kidnapping"), "'kidnap':B"),
        (("twg_english", '"street lighting" safety -gangs'), "'street':B | 'light':B | 'safeti':B"),
        (("twg_simple", "o'brien rock'"), "'o':B | 'brien':B | 'rock':B"),
        (("twg_english", "-gangs"), None),
        (("twg_english", "the of"), None),
    ],
)
def test_the_snippets_words_asked_of_weight_b(query, words):
    """sql/search_v9.sql's depository_any_word_of_weight_b: depository_any_word's words, each of weight B."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT depository_any_word_of_weight_b(websearch_to_tsquery(%s::regconfig, %s))::text", query)
        assert cursor.fetchone()[0] == words


@pytest.mark.parametrize(
    "tsquery",
    ["kidnap", "kidnap:*", "kidnap:* & !gang", "kidnap <-> response", "o''brien", "'rock'''", "street | light"],
)
def test_a_query_of_weight_b_answers_as_the_filtered_document_did(tsquery):
    """The test the page ran before (`ts_filter(document, '{b}') @@ depository_any_word(q)`) and the one it
    runs now agree on documents with the words at weight B, at another weight, at both, or not at all,
    prefix words and lexemes with a quote included."""
    documents = [
        "setweight(to_tsvector('simple', %s), 'B')",
        "setweight(to_tsvector('simple', %s), 'D')",
        "setweight(to_tsvector('simple', 'other words'), 'B') || setweight(to_tsvector('simple', %s), 'C')",
        "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', 'kidnapped'), 'B')",
    ]
    texts = ["kidnapping response", "kidnap street", "o'brien rock'", "light", "nothing here"]
    with connection.cursor() as cursor:
        for document in documents:
            for words in texts:
                cursor.execute(
                    f"SELECT ts_filter(d, '{{b}}') @@ depository_any_word(q), d @@ depository_any_word_of_weight_b(q) "  # noqa: S608
                    f"FROM (SELECT {document} AS d, %s::tsquery AS q) x",
                    [words, tsquery],
                )
                before, now = cursor.fetchone()
                assert bool(before) == bool(now), (document, words, tsquery)


@pytest.mark.parametrize("weight", ["B", "C"])
@pytest.mark.parametrize("tsquery", ["'o''brien'", "'rock'''", "'o''brien' & !'rock'''", "'rock''':*"])
def test_a_lexeme_with_a_quote_is_asked_at_weight_b_too(weight, tsquery):
    """Lexemes holding a quote (written doubled in a query's text), which the weight is appended after:
    found at weight B, not at another, as the filtered document said."""
    document = f"setweight('''o''''brien'':1 ''rock'''''':2 ''other'':3'::tsvector, '{weight}')"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ts_filter(d, '{{b}}') @@ depository_any_word(q), d @@ depository_any_word_of_weight_b(q) "  # noqa: S608
            f"FROM (SELECT {document} AS d, %s::tsquery AS q) x",
            [tsquery],
        )
        assert cursor.fetchone() == (weight == "B", weight == "B")
