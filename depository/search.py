"""Full-text search of the depository on PostgreSQL.

Each entry has a stored, weighted search document (depository.models.EntrySearchDocument): title
and its translations weight A, summary, its translations and annotation B, body C, text extracted
from its attachments D. It is built in
the entry's own language's text search configuration; the configurations (created by migration
0003) put `unaccent` in front of the language's stemmer, so `violencia` finds `Violência`.

A query is parsed with websearch syntax in every language's configuration, and each entry is
matched against the parse in its own language: `(language = 'en' AND document @@ q_en) OR ...`.
Each arm can use the GIN index, and a negated word (`-drugs`) stays negated for every entry.
"""

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchQueryField, SearchRank
from django.db import connection
from django.db.models import Case, F, Func, Q, TextField, Value, When
from django.db.models.functions import Concat

from depository.models import Attachment, Entry, EntrySearchDocument, Language

# Text search configuration per entry language (see migration 0003); anything else uses the last.
SEARCH_CONFIGS = {
    Language.ENGLISH: "twg_english",
    Language.SPANISH: "twg_spanish",
    Language.FRENCH: "twg_french",
    Language.ARABIC: "twg_arabic",
}
FALLBACK_CONFIG = "twg_simple"

# The longest query the browse page accepts, in characters.
MAX_QUERY_LENGTH = 200
# to_tsvector refuses documents over 1 MB; a long attachment contributes its beginning only.
MAX_INDEXED_CHARACTERS = 300_000


def _config_case_sql(column):
    arms = " ".join(f"WHEN '{code}' THEN '{config}'::regconfig" for code, config in SEARCH_CONFIGS.items())
    return f"(CASE {column} {arms} ELSE '{FALLBACK_CONFIG}'::regconfig END)"


def reindex_entries(entry_ids):
    """Write the search documents of the given entries (one INSERT ... SELECT, whatever their number)."""
    entry_ids = [int(pk) for pk in entry_ids if pk is not None]
    if not entry_ids:
        return
    config = _config_case_sql("e.language")
    entry_table = Entry._meta.db_table
    attachment_table = Attachment._meta.db_table
    document_table = EntrySearchDocument._meta.db_table
    # The title's and the summary's translations (Entry.title_es, ...) join the title (weight A) and
    # the summary (B), in the entry's own configuration: the query's words are parsed in that same
    # configuration for this entry, so a Spanish title's words match the same words in the query.
    titles = ", ".join(f"e.{name}" for name in ["title", *Entry.translation_field_names("title")])
    titles = f"concat_ws(' ', {titles})"
    summaries = ", ".join(f"e.{name}" for name in ["summary", *Entry.translation_field_names("summary")])
    sql = f"""
        INSERT INTO {document_table} (entry_id, language, title_vector, document)
        SELECT e.id, e.language, to_tsvector({config}, {titles}),
               setweight(to_tsvector({config}, {titles}), 'A')
            || setweight(to_tsvector({config}, left(concat_ws(' ', {summaries}, e.annotation), %(limit)s)), 'B')
            || setweight(to_tsvector({config}, left(concat_ws(' ', e.body, e.what_it_is, e.who_implements,
                   e.costs_and_needs, e.outcomes, e.what_was_tried, e.what_went_wrong, e.what_was_learned),
                   %(limit)s)), 'C')
            || setweight(to_tsvector({config}, left(coalesce(
                   (SELECT string_agg(a.extracted_text, ' ' ORDER BY a.id) FROM {attachment_table} a
                     WHERE a.entry_id = e.id), ''), %(limit)s)), 'D')
        FROM {entry_table} e
        WHERE e.id = ANY(%(ids)s)
        ON CONFLICT (entry_id) DO UPDATE
        SET language = EXCLUDED.language, title_vector = EXCLUDED.title_vector, document = EXCLUDED.document
    """  # noqa: S608 (table names and configurations are the code's own, the values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": entry_ids, "limit": MAX_INDEXED_CHARACTERS})


def reindex_all():
    reindex_entries(Entry.objects.values_list("pk", flat=True))


def _queries(text):
    return {code: SearchQuery(text, config=config, search_type="websearch") for code, config in SEARCH_CONFIGS.items()}


def matching_documents(text):
    """Ids of the entries whose search document matches `text` (websearch syntax) in their own language."""
    condition = Q()
    for code, query in _queries(text).items():
        condition |= Q(language=code, document=query)
    other = SearchQuery(text, config=FALLBACK_CONFIG, search_type="websearch")
    condition |= Q(document=other) & ~Q(language__in=list(SEARCH_CONFIGS))
    return EntrySearchDocument.objects.filter(condition).values("entry_id")


def _query_arguments_sql(text):
    """The arguments of the functions of migration 0005: the query parsed in each language's configuration."""
    configs = [*SEARCH_CONFIGS.values(), FALLBACK_CONFIG]
    sql = ", ".join("websearch_to_tsquery(%s::regconfig, %s)" for _ in configs)
    return sql, [value for config in configs for value in (config, text)]


def matching_bits_sql(text):
    """SQL of the bit string of the entries matching `text` (depository/lexicon.py): common words'
    bit strings ANDed, the GIN index for anything else."""
    sql, params = _query_arguments_sql(text)
    return f"depository_matching_bits({sql})", params


def query_lexemes_sql(text):
    """SQL of the array of the lexemes of `text` in every language's configuration (their champion
    lists are candidates for ranking)."""
    configs = [*SEARCH_CONFIGS.values(), FALLBACK_CONFIG]
    sql = " || ".join("tsvector_to_array(to_tsvector(%s::regconfig, %s))" for _ in configs)
    return f"({sql})", [value for config in configs for value in (config, text)]


def title_matching_ids_sql(text):
    """SQL of the sorted array of the ids of the entries whose title matches `text`."""
    sql, params = _query_arguments_sql(text)
    return f"depository_title_matching_ids({sql})", params


def matching(text):
    """A Q for the entries matching `text`."""
    return Q(pk__in=matching_documents(text))


def _query_in_entry_language(text):
    return Case(
        *[When(language=code, then=query) for code, query in _queries(text).items()],
        default=SearchQuery(text, config=FALLBACK_CONFIG, search_type="websearch"),
        output_field=SearchQueryField(),
    )


def _config_in_entry_language():
    return Case(
        *[When(language=code, then=Value(config)) for code, config in SEARCH_CONFIGS.items()],
        default=Value(FALLBACK_CONFIG),
    )


def with_rank(queryset, text):
    return queryset.annotate(rank=SearchRank(F("search_document__document"), _query_in_entry_language(text)))


def with_headline(queryset, text):
    """A highlighted snippet of the summary (in the page's language, or the original) and body.
    Costly: apply it to one page of rows only (PostgreSQL evaluates it after the LIMIT)."""
    return queryset.annotate(
        headline=SearchHeadline(
            # Markdown's marks (headings, emphasis, tables) would show as stray characters.
            Func(
                Concat(Entry.translated_expression("summary"), Value(" "), "body", output_field=TextField()),
                Value(r"[#*_`|]+"),
                Value(" "),
                Value("g"),
                function="regexp_replace",
                output_field=TextField(),
            ),
            _query_in_entry_language(text),
            config=_config_in_entry_language(),
            start_sel="<mark>",
            stop_sel="</mark>",
            max_words=35,
            min_words=15,
            max_fragments=2,
        )
    )
