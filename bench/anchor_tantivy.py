"""tantivy given the portal's own documents, so that the anchor comparison compares equal work (issue 23).

The anchor's engine (`run_bench.Tantivy`) indexes the corpus's title, summary and body in English.
The portal's search document (`depository_search_documents`, depository/search/sql/search_documents_v3.sql)
holds more, and stems it otherwise:

- weight B also holds the names of the entry's themes (and their parents), city types, violence
  types, cities and keywords (tags), so that a theme "Crime Prevention" is found by `crime prevention`;
- each entry is stemmed in its own language's configuration (`twg_spanish`: `unaccent`, then Spanish
  Snowball with PostgreSQL's Spanish stop words), and a query is parsed in every language, each entry
  matched against the parse in its own language (depository/search/text.py).

`PortalDocumentsTantivy` is the anchor's engine with the same text per entry, read from the loaded
portal database, in the same weight classes: A (titles) in `title_<lang>`, B (summaries, annotation,
names, abstract) in `summary_<lang>`, C (container, series, body, the cards' fields) in
`body_<lang>`, D (public files' text) in `files_<lang>`, analysed as the entry's language's
configuration does (lowercase, ASCII folding for unaccent, PostgreSQL's own stop-word list, the
language's Snowball stemmer). A query is parsed once per language over that language's fields and
the parses are ORed: an entry has fields of one language only, so it is matched in its own language,
as in the portal. Everything else is the anchor's: its `query()` runs unchanged (facets, boosts title
3 and summary 2, count, top 20), the facet fields and sort key come from the corpus.

`check_texts` proves the text is the portal's: the lexemes PostgreSQL makes of it equal every entry's
stored document. `stem_differences` lists the words where tantivy's stemmers and PostgreSQL's split
differently for a query word (what a residual count difference would come from).
"""

import re

import psycopg2

# (portal language code, text search configuration, tantivy field suffix and Snowball stemmer or None,
# PostgreSQL stop-word file or None). As depository_search_config (sql/search_v1.sql) and the dictionaries
# of migration 0003's configurations (`arabic_stem` has no stop words in PostgreSQL 15; `simple` none).
LANGUAGES = [
    ("en", "twg_english", "english", "english"),
    ("es", "twg_spanish", "spanish", "spanish"),
    ("fr", "twg_french", "french", "french"),
    ("ar", "twg_arabic", "arabic", None),
    (None, "twg_simple", None, None),  # any other language
]
SUFFIX = {code: stemmer or "simple" for code, _, stemmer, _ in LANGUAGES}
WEIGHT_FIELDS = {"title": "a", "summary": "b", "body": "c", "files": "d"}  # tantivy field -> portal weight

# Each entry's text per weight, built as depository_search_documents (sql/search_documents_v3.sql) builds it
# before to_tsvector: a copy, so check_texts() compares its lexemes with the stored documents.
ENTRY_TEXTS_SQL = """
SELECT e.id, e.slug, e.language,
    depository_search_bounded(depository_search_text(concat_ws(' ', e.title, e.title_es, e.title_fr, e.title_ar)),
        20000) AS a,
    depository_search_bounded(depository_search_text(left(concat_ws(' ', e.summary, e.summary_es, e.summary_fr,
        e.summary_ar, e.annotation, v.names, e.abstract), 200000)), 200000) AS b,
    depository_search_bounded(depository_search_text(left(concat_ws(' ', e.container_title, e.collection_title,
        e.body, e.what_it_is, e.who_implements, e.costs_and_needs, e.outcomes, e.what_was_tried, e.what_went_wrong,
        e.what_was_learned), 300000)), 300000) AS c,
    coalesce((SELECT string_agg(depository_search_bounded(depository_search_text(left(f.extracted_text, f.share)),
            f.share), ' ' ORDER BY f.id)
        FROM (SELECT a.id, a.extracted_text, (least(100000, 300000 / count(*) OVER ()) - 1)::integer AS share
              FROM depository_attachment a WHERE a.entry_id = e.id AND a.is_public) f), '') AS d
FROM depository_entry e
CROSS JOIN LATERAL (SELECT concat_ws(' ',
    (SELECT string_agg(concat_ws(' ', th.name, th.name_es, th.name_fr, th.name_ar,
             pa.name, pa.name_es, pa.name_fr, pa.name_ar), ' ' ORDER BY th.id)
       FROM depository_entry_themes et JOIN depository_theme th ON th.id = et.theme_id
       LEFT JOIN depository_theme pa ON pa.id = th.parent_id WHERE et.entry_id = e.id),
    (SELECT string_agg(concat_ws(' ', ct.name, ct.name_es, ct.name_fr, ct.name_ar), ' ' ORDER BY ct.id)
       FROM depository_entry_city_types ec JOIN depository_citytype ct ON ct.id = ec.citytype_id
       WHERE ec.entry_id = e.id),
    (SELECT string_agg(concat_ws(' ', vt.name, vt.name_es, vt.name_fr, vt.name_ar), ' ' ORDER BY vt.id)
       FROM depository_entry_violence_types ev JOIN depository_violencetype vt ON vt.id = ev.violencetype_id
       WHERE ev.entry_id = e.id),
    (SELECT string_agg(concat_ws(' ', ci.name, ci.country), ' ' ORDER BY ci.id)
       FROM depository_entry_cities ec JOIN depository_city ci ON ci.id = ec.city_id WHERE ec.entry_id = e.id),
    (SELECT string_agg(tg.name, ' ' ORDER BY tg.id) FROM taggit_taggeditem ti JOIN taggit_tag tg ON tg.id = ti.tag_id
       JOIN django_content_type ct ON ct.id = ti.content_type_id
       WHERE ct.app_label = 'depository' AND ct.model = 'entry' AND ti.object_id = e.id
         AND NOT EXISTS (SELECT 1 FROM depository_internaltag i WHERE i.tag_id = tg.id))
) AS names) v
"""


def corpus_id(slug):
    """The corpus id of an entry loaded by `generate_synthetic_entries --from-jsonl` (slug `<title>-<id>`)."""
    return int(slug.rsplit("-", 1)[1])


def portal_texts(dsn):
    """{corpus id: (language, {"a": text, "b": ..., "c": ..., "d": ...})} of every entry, as indexed."""
    with psycopg2.connect(dsn) as connection, connection.cursor(name="texts") as cursor:
        cursor.itersize = 5000
        cursor.execute(ENTRY_TEXTS_SQL)
        return {
            corpus_id(slug): (language, {"a": a, "b": b, "c": c, "d": d}) for _, slug, language, a, b, c, d in cursor
        }


def check_texts(dsn):
    """(entries, entries whose stored document's lexemes differ from the lexemes of ENTRY_TEXTS_SQL's text,
    entries without a stored document). Both differences must be 0 for the engines to index the same text."""
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(
            f"WITH t AS ({ENTRY_TEXTS_SQL}) "  # noqa: S608 (constant SQL)
            "SELECT count(*), count(*) FILTER (WHERE strip(s.document) <> strip(to_tsvector("
            "depository_search_config(t.language), concat_ws(' ', t.a, t.b, t.c, t.d)))), "
            "count(*) FILTER (WHERE s.entry_id IS NULL) "
            "FROM t LEFT JOIN depository_entrysearchdocument s ON s.entry_id = t.id"
        )
        return cursor.fetchone()


def stop_words(dsn):
    """{stop-word file name: [words]} as PostgreSQL's Snowball dictionaries read them (SHAREDIR/tsearch_data)."""
    names = sorted({stop for *_, stop in LANGUAGES if stop})
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_config WHERE name = 'SHAREDIR'")
        share = cursor.fetchone()[0]
        words = {}
        for name in names:
            cursor.execute("SELECT pg_read_file(%s)", [f"{share}/tsearch_data/{name}.stop"])
            words[name] = [word.strip() for word in cursor.fetchone()[0].splitlines() if word.strip()]
        return words


def analyzers(tantivy, stops):
    """{field suffix: TextAnalyzer}: each configuration's pipeline (lowercase, unaccent as ASCII folding,
    the stop words, the stemmer) on tantivy's simple tokenizer (runs of letters and digits)."""
    result = {}
    for _, _, stemmer, stop in LANGUAGES:
        builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        builder = builder.filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold())
        if stop:
            builder = builder.filter(tantivy.Filter.custom_stopword(stops[stop]))
        if stemmer:
            builder = builder.filter(tantivy.Filter.stemmer(stemmer))
        result[stemmer or "simple"] = builder.build()
    return result


class PerLanguageIndex:
    """The tantivy index as the anchor's `query()` sees it: `parse_query(text, ["title", "summary", "body"],
    boosts)` parses `text` once per language over that language's fields (body also covers the files,
    the portal's D) and ORs the parses; everything else is the index's own."""

    def __init__(self, tantivy, index):
        self._tantivy, self._index = tantivy, index

    def parse_query(self, text, fields, field_boosts=None, **options):
        clauses = []
        for suffix in SUFFIX.values():
            names = [f"{field}_{suffix}" for field in fields]
            if "body" in fields:
                names.append(f"files_{suffix}")
            boosts = {f"{field}_{suffix}": boost for field, boost in (field_boosts or {}).items()}
            parsed = self._index.parse_query(text, names, field_boosts=boosts, **options)
            clauses.append((self._tantivy.Occur.Should, parsed))
        return self._tantivy.Query.boolean_query(clauses)

    def __getattr__(self, name):
        return getattr(self._index, name)


def engine_class(run_bench):
    """PortalDocumentsTantivy, a subclass of the anchor's `run_bench.Tantivy` (imported from the anchor's
    directory at run time, hence a factory)."""

    class PortalDocumentsTantivy(run_bench.Tantivy):
        name = "tantivy (portal documents)"

        def load(self, corpus, texts, stops):
            """Index `corpus`'s entries (facets, sort key: the anchor's) with `texts` (portal_texts()) and
            `stops` (stop_words()). An entry missing from `texts` is an error: the counts would differ."""
            import datetime
            import os
            import shutil

            t = self.t
            shutil.rmtree(self.path, ignore_errors=True)
            os.makedirs(self.path)
            schema = t.SchemaBuilder()
            schema.add_integer_field("id", stored=True, indexed=True, fast=True)
            for suffix in SUFFIX.values():
                for field in WEIGHT_FIELDS:
                    schema.add_text_field(f"{field}_{suffix}", tokenizer_name=f"twg_{suffix}")
            for facet in run_bench.M2M + run_bench.SCALAR:
                schema.add_facet_field(facet)
            schema.add_unsigned_field("sortkey", fast=True)
            self.schema = schema.build()
            index = t.Index(self.schema, path=self.path)
            for suffix, analyzer in analyzers(t, stops).items():
                index.register_tokenizer(f"twg_{suffix}", analyzer)
            writer = index.writer(heap_size=512_000_000, num_threads=2)
            missing = [entry["id"] for entry in corpus.entries if entry["id"] not in texts]
            if missing:
                raise SystemExit(f"{len(missing)} corpus entries are not in the portal database (e.g. {missing[:5]})")
            for entry in corpus.entries:
                language, text = texts[entry["id"]]
                suffix = SUFFIX.get(language, "simple")
                document = t.Document()
                document.add_integer("id", entry["id"])
                for field, weight in WEIGHT_FIELDS.items():
                    if text[weight]:
                        document.add_text(f"{field}_{suffix}", text[weight])
                for facet in run_bench.M2M + run_bench.SCALAR:
                    for value in run_bench.Corpus._vals(entry, facet):
                        document.add_facet(facet, t.Facet.from_string("/" + value))
                day = datetime.date.fromisoformat(entry["published"]).toordinal()
                document.add_unsigned("sortkey", day << 20 | entry["id"])
                writer.add_document(document)
            writer.commit()
            writer.wait_merging_threads()
            index.reload()
            self.index = PerLanguageIndex(t, index)
            self.searcher = index.searcher()

    return PortalDocumentsTantivy


def stem_differences(tantivy, stops, dsn, texts, words):
    """For each query word in `words` and each language: the corpus words (of that language's entries) that
    one engine stems like the query word and the other does not. [(language, query word, word, stem in
    PostgreSQL, stem in tantivy)]; empty when both engines match every query word to the same words."""
    vocabulary = {}
    for language, text in texts.values():
        vocabulary.setdefault(language, set()).update(re.findall(r"\w+", " ".join(text.values()).lower()))
    tantivy_analyzers = analyzers(tantivy, stops)
    configs = {code: config for code, config, *_ in LANGUAGES}
    differences = []
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        for language, seen in sorted(vocabulary.items()):
            config = configs.get(language, "twg_simple")
            analyzer = tantivy_analyzers[SUFFIX.get(language, "simple")]
            candidates = sorted(seen | set(words))
            cursor.execute(
                "SELECT w, coalesce((SELECT string_agg(lexeme, ' ') FROM unnest(to_tsvector(%s::regconfig, w))), '') "
                "FROM unnest(%s::text[]) w",
                [config, candidates],
            )
            postgres = dict(cursor.fetchall())
            ours = {word: " ".join(analyzer.analyze(word)) for word in candidates}
            for query_word in words:
                for word in seen:
                    in_postgres = bool(postgres[word]) and postgres[word] == postgres[query_word]
                    in_tantivy = bool(ours[word]) and ours[word] == ours[query_word]
                    if in_postgres != in_tantivy:
                        differences.append((language, query_word, word, postgres[word], ours[word]))
    return differences


def match_differences(dsn, engine, text, count):
    """([corpus ids the portal matches and `engine` does not], [the reverse]), sorted, for a text search
    without filters (`count`: the engine's number of matches). The portal's matches are its own SQL
    function's, depository_matching_ids, given `text` parsed in each language's configuration (the
    search passes the text through normalize_query first, which changes nothing in a plain word)."""
    configs = [config for _, config, *_ in LANGUAGES]
    arguments = ", ".join("websearch_to_tsquery(%s::regconfig, %s)" for _ in configs)
    with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.execute(
            f"SELECT slug FROM depository_entry WHERE id = ANY(depository_matching_ids({arguments}))",  # noqa: S608
            [value for config in configs for value in (config, text)],
        )
        portal = {corpus_id(slug) for (slug,) in cursor.fetchall()}
    query = engine.index.parse_query(text, ["title", "summary", "body"], conjunction_by_default=True)
    hits = engine.searcher.search(query, max(count, 1)).hits
    ours = set(engine.searcher.fast_field_values("id", [address for _, address in hits]))
    return sorted(portal - ours), sorted(ours - portal)
