"""Related entries: the published entries sharing the most themes, violence types, city types and tags
with an entry, ranked in SQL in one statement over the facet index (depository/search/facet_index.py).

The candidates are the entries in the entry's rarest values' id arrays, taken rarest first until
there are at least CANDIDATES of them, each array cut to its CANDIDATES most recently created entries
(so every sharing entry is a candidate while they are fewer: always, on a depository of a few
thousand entries). Each candidate's number of shared values is counted by intersecting the arrays
(intarray `&`), and only the candidates sharing as many values as the fifth best are looked up to
break ties by publication date: the cost follows the rare values and CANDIDATES, not the 50,000
entries that share a common theme.
"""

from depository.models import Entry, EntryStatus
from depository.search.facet_index import POSTINGS

RELATED_COUNT = 5
# Enough candidates that the best related entries are among them, few enough to rank in milliseconds.
CANDIDATES = 1000
RELATIONS = {"theme": "themes", "violence_type": "violence_types", "city_type": "city_types"}


def own_values_sql():
    """(facet, value) of the index rows of the entry's own themes, types and tags (parameter: its id)."""
    parts = []
    for facet, relation in RELATIONS.items():
        field = Entry._meta.get_field(relation)
        through = field.remote_field.through
        column = through._meta.get_field(field.m2m_reverse_field_name()).column
        table = through._meta.db_table
        parts.append(f"SELECT '{facet}' AS facet, {column}::text AS value FROM {table} WHERE entry_id = %(entry)s")  # noqa: S608
    parts.append(
        "SELECT 'tag', ti.tag_id::text FROM taggit_taggeditem ti "
        "JOIN django_content_type ct ON ct.id = ti.content_type_id "
        "WHERE ct.app_label = 'depository' AND ct.model = 'entry' AND ti.object_id = %(entry)s"
    )
    return " UNION ALL ".join(parts)


def related_entries(entry, *, limit=RELATED_COUNT):
    """Published entries ranked by the number of facet values and tags they share with `entry`."""
    table = Entry._meta.db_table
    # The title's translations too: the page shows each title in its language (no query per row).
    titles = ", ".join(f"e.{name}" for name in Entry.translation_field_names("title"))
    query = f"""
        WITH own AS MATERIALIZED (
            SELECT p.entry_ids, sum(p.size) OVER (ORDER BY p.size, p.id) AS running, p.size
            FROM {POSTINGS} p JOIN ({own_values_sql()}) v ON v.facet = p.facet AND v.value = p.value
        ),
        pool AS MATERIALIZED (
            SELECT coalesce(depository_int_union(
                       subarray(own.entry_ids, greatest(own.size - %(candidates)s, 0)::integer + 1, %(candidates)s)
                   ), '{{}}'::integer[]) - %(entry)s::integer AS ids
            FROM own WHERE own.running - own.size < %(candidates)s
        ),
        ranked AS MATERIALIZED (
            SELECT shared.id, count(*) AS shared
            FROM own CROSS JOIN pool CROSS JOIN LATERAL unnest(own.entry_ids & pool.ids) AS shared(id)
            GROUP BY shared.id
        ),
        cutoff AS (SELECT ranked.shared FROM ranked ORDER BY ranked.shared DESC OFFSET %(limit)s - 1 LIMIT 1)
        SELECT e.id, e.slug, e.title, {titles}, e.language, e.kind, e.year, ranked.shared
        FROM ranked JOIN {table} e ON e.id = ranked.id
        WHERE e.status = %(published)s AND ranked.shared >= coalesce((SELECT cutoff.shared FROM cutoff), 0)
        ORDER BY ranked.shared DESC, e.published_at DESC NULLS LAST, e.id
        LIMIT %(limit)s
    """  # noqa: S608 (the code's own tables; values are parameters)
    params = {"entry": entry.pk, "candidates": CANDIDATES, "published": EntryStatus.PUBLISHED, "limit": limit}
    return list(Entry.objects.raw(query, params))
