"""Related entries: the published entries sharing the most themes, violence types, city types and tags
with an entry, ranked in SQL (one query: a GROUP BY over the rows that share a value)."""

from django.db.models import F

from depository.facets import TagFacet
from depository.models import Entry, EntryStatus

RELATED_COUNT = 5
RELATIONS = ("themes", "violence_types", "city_types")


def shared_rows(entry):
    """One row (other entry's id) per facet value or tag another entry shares with `entry`."""
    parts = []
    for relation in RELATIONS:
        field = Entry._meta.get_field(relation)
        through = field.remote_field.through
        target = field.m2m_reverse_field_name() + "_id"
        own = through.objects.filter(entry_id=entry.pk).values(target)
        parts.append(through.objects.filter(**{f"{target}__in": own}).values(other=F("entry_id")))
    tagged = TagFacet._tagged()
    own_tags = tagged.filter(object_id=entry.pk).values("tag_id")
    parts.append(tagged.filter(tag_id__in=own_tags).values(other=F("object_id")))
    return parts[0].union(*parts[1:], all=True)


def related_entries(entry, *, limit=RELATED_COUNT):
    """Published entries ranked by the number of facet values and tags they share with `entry`."""
    sql, params = shared_rows(entry).query.sql_with_params()
    table = Entry._meta.db_table
    query = f"""
        SELECT e.id, e.slug, e.title, e.kind, e.year, ranked.shared
        FROM (SELECT shared.other, count(*) AS shared FROM ({sql}) AS shared GROUP BY shared.other) AS ranked
        JOIN {table} e ON e.id = ranked.other
        WHERE e.status = %s AND e.id <> %s
        ORDER BY ranked.shared DESC, e.published_at DESC NULLS LAST, e.id
        LIMIT %s
    """  # noqa: S608 (the shared rows are the ORM's own SQL; values are parameters)
    return list(Entry.objects.raw(query, [*params, EntryStatus.PUBLISHED, entry.pk, limit]))
