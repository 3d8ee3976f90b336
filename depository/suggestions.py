# ruff: noqa: S608 (the SQL is built from the code's own table names; values are parameters)
"""Terms suggested for an entry: the vocabulary terms (themes, city types, violence types) whose name,
in any of the four languages, occurs in the entry's own words. Shown on the entry's change page in the
admin for an organizer to accept; never applied on their own.

The entry's words are its titles, abstract and summaries, and the extracted text of its public files.
They are matched in PostgreSQL's full-text search, in the entry's own language's configuration (the
one its search document is stemmed in, `depository_search_config`): a term matches when its name, as a
phrase, occurs (`phraseto_tsquery`: "Informal settlements" matches "informal settlement", not the two
words pages apart). The files' words come from the stored search document (its weight D, which holds
only the public files' text: depository/search/sql/search_v1.sql), so the long texts are not parsed
again; the title, abstract and summaries are parsed here, because the document's other weights also
hold the names of the terms the entry already carries. One query for every term of every vocabulary.
"""

from dataclasses import dataclass

from django.db import connection

from depository.models import CityType, Entry, EntrySearchDocument, Theme, ViolenceType

# Vocabulary by the name the admin's form and the classification service give its relation.
VOCABULARIES = {"themes": Theme, "city_types": CityType, "violence_types": ViolenceType}


@dataclass
class Suggestions:
    """The suggested terms of each vocabulary (unsaved-looking instances carrying id, slug and names)."""

    themes: list
    city_types: list
    violence_types: list

    def __bool__(self):
        return bool(self.themes or self.city_types or self.violence_types)

    def by_vocabulary(self):
        """(relation name, verbose name plural, terms) of the vocabularies with a suggestion."""
        return [
            (name, model._meta.verbose_name_plural, getattr(self, name))
            for name, model in VOCABULARIES.items()
            if getattr(self, name)
        ]


def _terms_sql(relation, model):
    entry_field = Entry._meta.get_field(relation)
    through = entry_field.remote_field.through._meta.db_table
    own, other = entry_field.m2m_column_name(), entry_field.m2m_reverse_name()
    table = model._meta.db_table
    # Terms the entry carries are not suggested.
    return (
        f"SELECT '{relation}' AS relation, t.id, t.slug, t.name, t.name_es, t.name_fr, t.name_ar, t.position "
        f"FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {through} x WHERE x.{own} = %(entry)s AND x.{other} = t.id)"
    )


SQL = f"""
WITH words AS MATERIALIZED (
    SELECT cfg.c AS config,
        to_tsvector(cfg.c, depository_search_text(concat_ws(' ', e.title, e.title_en, e.title_es, e.title_fr,
            e.title_ar, e.abstract, e.summary, e.summary_en, e.summary_es, e.summary_fr, e.summary_ar)))
        || coalesce(ts_filter(d.document, '{{d}}'), ''::tsvector) AS vector
    FROM {Entry._meta.db_table} e
    CROSS JOIN LATERAL (SELECT depository_search_config(e.language) AS c) cfg
    LEFT JOIN {EntrySearchDocument._meta.db_table} d ON d.entry_id = e.id
    WHERE e.id = %(entry)s
), terms AS ({" UNION ALL ".join(_terms_sql(relation, model) for relation, model in VOCABULARIES.items())})
SELECT t.relation, t.id, t.slug, t.name, t.name_es, t.name_fr, t.name_ar
FROM words w CROSS JOIN terms t
WHERE EXISTS (
    SELECT 1 FROM unnest(ARRAY[t.name, t.name_es, t.name_fr, t.name_ar]) n(name)
    CROSS JOIN LATERAL (SELECT phraseto_tsquery(w.config, replace(n.name, '-', ' ')) AS q) p
    WHERE n.name <> '' AND numnode(p.q) > 0 AND w.vector @@ p.q
)
ORDER BY t.relation, t.position, t.name
"""


def suggested_terms(entry_id: int) -> Suggestions:
    """The terms suggested for the entry `entry_id` (none for an entry that does not exist). One query."""
    found = {name: [] for name in VOCABULARIES}
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"entry": entry_id})
        for relation, pk, slug, name, name_es, name_fr, name_ar in cursor.fetchall():
            model = VOCABULARIES[relation]
            found[relation].append(
                model(pk=pk, slug=slug, name=name, name_es=name_es, name_fr=name_fr, name_ar=name_ar)
            )
    return Suggestions(**found)
