"""Related entries: the published entries sharing the most themes, violence types, city types and tags
with an entry, ranked in SQL (one query)."""

from django.db.models import F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from depository.facets import TagFacet
from depository.models import Entry

RELATED_COUNT = 5
RELATIONS = ("themes", "violence_types", "city_types")


class SharedCount(Subquery):
    template = "(SELECT count(*) FROM (%(subquery)s) AS _shared)"
    output_field = IntegerField()


def related_entries(entry, *, limit=RELATED_COUNT):
    """Published entries ranked by the number of facet values and tags they share with `entry`."""
    candidates = []
    score = Value(0)
    for relation in RELATIONS:
        through = Entry._meta.get_field(relation).remote_field.through
        target = Entry._meta.get_field(relation).m2m_reverse_field_name() + "_id"
        own = through.objects.filter(entry_id=entry.pk).values(target)
        sharing = through.objects.filter(**{f"{target}__in": own})
        candidates.append(sharing.values("entry_id"))
        score = score + SharedCount(sharing.filter(entry_id=OuterRef("pk")).values("entry_id"))
    tagged = TagFacet._tagged()
    sharing_tags = tagged.filter(tag_id__in=tagged.filter(object_id=entry.pk).values("tag_id"))
    candidates.append(sharing_tags.values("object_id"))
    score = score + SharedCount(sharing_tags.filter(object_id=OuterRef("pk")).values("object_id"))
    in_candidates = candidates[0].union(*candidates[1:])
    return (
        Entry.objects.published()
        .exclude(pk=entry.pk)
        .filter(pk__in=in_candidates)
        .only("slug", "title", "kind", "year", "published_at")
        .annotate(shared=Coalesce(score, 0))
        .order_by("-shared", F("published_at").desc(nulls_last=True), "pk")[:limit]
    )
