"""Full-text search of the depository on PostgreSQL.

Each entry has a stored, weighted search document (depository.models.EntrySearchDocument): title
and its translations weight A; summary, its translations, the work's abstract, the annotation and
the vocabulary's and keywords' names B; where it was published (container, series) and the body C;
text extracted from its attachments D (sql/search_v2.sql). It is built in
the entry's own language's text search configuration; the configurations (created by migration
0003) put `unaccent` in front of the language's stemmer, so `violencia` finds `Violência`.

A query is parsed with websearch syntax in every language's configuration, and each entry is
matched against the parse in its own language: `(language = 'en' AND document @@ q_en) OR ...`.
Each arm can use the GIN index, and a negated word (`-drugs`) stays negated for every entry.
"""

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchQueryField, SearchRank
from django.db.models import Case, F, QuerySet, TextField, When
from django.db.models.expressions import RawSQL
from django.utils import translation

from core.db_routers import read_connection
from depository.models import Entry, EntrySearchDocument, Language
from depository.models.translations import active_language

# Text search configuration per entry language (see migration 0003); anything else uses the last.
SEARCH_CONFIGS = {
    Language.ENGLISH: "twg_english",
    Language.SPANISH: "twg_spanish",
    Language.FRENCH: "twg_french",
    Language.ARABIC: "twg_arabic",
}
FALLBACK_CONFIG = "twg_simple"

# What of a file's extracted text is indexed (sql/search_v1.sql, weight D): each public file's first
# characters, so that one long file never pushes the entry's other files out of the document.
MAX_INDEXED_CHARACTERS_PER_FILE = 100_000

# A search snippet is taken from at most this many characters of the summary and abstract (with_headline).
HEADLINE_SOURCE_CHARACTERS = 2000


# A hyphen inside a word (`city-to-city`), as opposed to websearch's `-word` (NOT).
_COMPOUND = re.compile(r"\b\w+(?:-\w+)+\b")


def normalize_query(text: str) -> str:
    """The query as the index reads it (str -> str): NFC, and each hyphenated compound as the phrase of
    its parts, `city-to-city` -> `"city to city"`. Documents index a compound split and joined
    (depository_search_text in sql/search_v1.sql), so `city-to-city`, `city to city` and `citytocity`
    all find a text that says `city-to-city`. A leading `-` (websearch's NOT) is left alone."""
    text = unicodedata.normalize("NFC", text)
    pieces = re.split(r'("[^"]*")', text)
    for i, piece in enumerate(pieces):
        if piece.startswith('"'):
            pieces[i] = piece.replace("-", " ")
        else:
            pieces[i] = _COMPOUND.sub(lambda m: '"' + m.group(0).replace("-", " ") + '"', piece)
    return "".join(pieces)


def _queries(text):
    return {code: SearchQuery(text, config=config, search_type="websearch") for code, config in SEARCH_CONFIGS.items()}


def _query_arguments_sql(text):
    """The arguments of depository_matching_ids: the query parsed in each language's configuration."""
    configs = [*SEARCH_CONFIGS.values(), FALLBACK_CONFIG]
    sql = ", ".join("websearch_to_tsquery(%s::regconfig, %s)" for _ in configs)
    return sql, [value for config in configs for value in (config, text)]


def matching_ids_sql(text: str, *, titles: bool = False) -> tuple[str, list[str]]:
    """SQL (and parameters) of the sorted integer[] of the entries whose document (or, with `titles`,
    whose title) matches `text`, each entry in its own language's parse; from the GIN indexes."""
    sql, params = _query_arguments_sql(text)
    return f"depository_matching_ids({sql}, {'true' if titles else 'false'})", params


def matching_sql(text: str) -> tuple[str, list[str]]:
    """SQL (and parameters) of the one row (ids integer[], bits bit varying, title_bits bit varying) of
    the entries whose document matches `text`, each entry in its own language's parse: through the
    term rows of frequent words where they answer, else the GIN index (depository_matching in
    sql/search_terms.sql says which, and what each column holds)."""
    sql, params = _query_arguments_sql(text)
    return f"depository_matching({sql})", params


# The query parsed in one configuration (`{config}` of this template: the configuration's SQL; the text
# is a parameter), as a sub-select: PostgreSQL computes an uncorrelated sub-select once per statement (an
# InitPlan), where a call written in a row's expression ran for each row (each candidate ranked, each
# card's snippet): ~5 us a parse, 65 candidates and 20 cards for `kidnapping` at 100,000 entries.
_PARSED = "(SELECT websearch_to_tsquery({config}, %s))"


def rank_sql(text: str) -> tuple[str, list[str]]:
    """SQL (and parameters) of the rank of the search document `d` (an alias of
    depository_entrysearchdocument) for `text`, parsed in the document's own language's configuration:
    what with_rank gives an entry, computed where the counting statement ranks the candidates."""
    arms = " ".join(f"WHEN '{code}' THEN {_PARSED.format(config='%s::regconfig')}" for code in SEARCH_CONFIGS)
    params = [value for config in SEARCH_CONFIGS.values() for value in (config, text)]
    return (
        f"ts_rank(d.document, CASE d.language {arms} ELSE {_PARSED.format(config='%s::regconfig')} END)",
        [*params, FALLBACK_CONFIG, text],
    )


def _query_in_entry_language(text):
    return Case(
        *[When(language=code, then=query) for code, query in _queries(text).items()],
        default=SearchQuery(text, config=FALLBACK_CONFIG, search_type="websearch"),
        output_field=SearchQueryField(),
    )


def with_rank(queryset: QuerySet[Entry], text: str) -> QuerySet[Entry]:
    return queryset.annotate(rank=SearchRank(F("search_document__document"), _query_in_entry_language(text)))


# ts_headline's options: the marks the card's CSS styles, and two fragments of 15-35 words.
HEADLINE_OPTIONS = "StartSel='<mark>', StopSel='</mark>', MaxWords=35, MinWords=15, MaxFragments=2"


def headline_sql(text: str) -> tuple[str, list[str]]:
    """SQL (and parameters) of a highlighted snippet of the entry row `"depository_entry"` for `text`,
    parsed and highlighted in the entry's own language's configuration: the text the card shows (the
    summary in the page's language, or the original), then the work's abstract, at most
    HEADLINE_SOURCE_CHARACTERS of them, Markdown's marks (headings, emphasis, tables) blanked out.
    NULL when none of the query's words is in the entry's summaries, abstract, annotation or names
    (its search document's weight B, asked with a query of that weight: sql/search_v9.sql's
    depository_any_word_of_weight_b): that text holds the snippet's source, so ts_headline would mark
    nothing and give the text's first words, and the card shows the summary as it does without a
    search. Asking the stored document costs a few us an entry, ts_headline ~50 us: 14 of
    `kidnapping`'s first 20 results match only in their body (issue 23).

    Written as SQL, as rank_sql is, rather than as ORM expressions: SearchHeadline over Case, When,
    Concat and Left was resolved and compiled anew at every search, ~1.5 ms of Python per page
    (profile of `q=community` at 100,000 entries, issue 23). Where it gives a snippet, the same SQL as
    that expression gave; tests/test_search_headlines.py compares the two."""
    entry = '"depository_entry"'
    language = active_language()
    summary = f"{entry}.summary"
    if language in Entry.TRANSLATION_LANGUAGES:  # Entry.translated_expression("summary"), in SQL
        summary = (
            f"CASE WHEN {entry}.language = '{language}' THEN {entry}.summary "
            f"ELSE coalesce(nullif({entry}.summary_{language}, ''), {entry}.summary) END"
        )
    configs = " ".join(f"WHEN '{code}' THEN '{config}'" for code, config in SEARCH_CONFIGS.items())

    def in_entry_language(template):  # `template` (_PARSED's kind) in the configuration of the entry's language
        arms = " ".join(
            f"WHEN '{code}' THEN {template.format(config=f"'{config}'::regconfig")}"
            for code, config in SEARCH_CONFIGS.items()
        )
        return f"CASE {entry}.language {arms} ELSE {template.format(config=f"'{FALLBACK_CONFIG}'::regconfig")} END"

    query = in_entry_language(_PARSED)
    any_word = in_entry_language("(SELECT depository_any_word_of_weight_b(websearch_to_tsquery({config}, %s)))")
    source = (
        f"regexp_replace(left(coalesce({summary}, '') || ' ' || coalesce({entry}.abstract, ''), "
        f"{int(HEADLINE_SOURCE_CHARACTERS)}), '[#*_`|]+', ' ', 'g')"
    )
    has_a_word = (
        f"(SELECT d.document @@ {any_word} "  # noqa: S608 (our names)
        f"FROM {EntrySearchDocument._meta.db_table} d WHERE d.entry_id = {entry}.id)"
    )
    config = f"CASE {entry}.language {configs} ELSE '{FALLBACK_CONFIG}' END::regconfig"
    sql = f"CASE WHEN {has_a_word} THEN ts_headline({config}, {source}, {query}, %s) END"
    words = [text] * (len(SEARCH_CONFIGS) + 1)
    return sql, [*words, *words, HEADLINE_OPTIONS]


def with_headline(queryset: QuerySet[Entry], text: str) -> QuerySet[Entry]:
    """The rows of `queryset` (Entry rows as `"depository_entry"`: a page of them, since ts_headline
    parses the whole text it is given through `unaccent` and the stemmer; PostgreSQL evaluates it after
    the LIMIT) with `headline`, the snippet of headline_sql. The body is left out: the page's statement
    took 0.61x its time for `crime prevention`, 0.18x for `kidnapping` at 20,000 entries
    (docs/performance.md, "Issue 23, first steps"). A match only in the title, the body or the files
    gives NULL: the card shows its summary as without a search."""
    return queryset.annotate(headline=RawSQL(*headline_sql(text), output_field=TextField()))  # noqa: S611 (our SQL)


def ignored_words(query: str) -> list[str]:
    """The words of `query` (list of str, in order) that the visitor's language's configuration drops
    as too common to index ("the", "and", "of" in English): what an empty result can explain. One
    query, run only when a search found nothing."""
    words = [word for word in re.findall(r"\w+", query) if word.lower() != "or"]  # websearch's operator
    if not words:
        return []
    config = SEARCH_CONFIGS.get((translation.get_language() or "en")[:2], SEARCH_CONFIGS[Language.ENGLISH])
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT w FROM unnest(%s::text[]) WITH ORDINALITY u(w, n) "
            "WHERE to_tsvector(%s::regconfig, w) = '' ORDER BY n",
            [words, config],
        )
        return [row[0] for row in cursor.fetchall()]
