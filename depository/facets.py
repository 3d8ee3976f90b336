"""The browse page's facets: how each narrows the entries, and how its values are counted in SQL.

Counts are disjunctive, as faceted search engines count: the count beside a value of facet F applies
every active filter except F's own, so a user can widen a facet as well as narrow it. Each facet's
count is one GROUP BY over the entries matching the other filters; all facets' counts go to the
database as one UNION ALL statement (one round trip, whatever the number of entries or facets).
"""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import CharField, Count, F, Q, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from taggit.models import TaggedItem

from depository.models import City, CityType, Entry, EntryKind, EvidenceLevel, Language, Theme, ViolenceType

SLUG_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
# Theme facet positions: a sub-theme's position is its parent's times this step, plus its own plus one.
SUB_THEME_STEP = 1000


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    """One facet of the browse page. `name` is its query-string parameter."""

    name: str
    label: str
    # Values with no match are listed (disabled) when the vocabulary is small and fixed, hidden otherwise.
    show_empty: bool = False
    # Longest list of values shown (the selected values are always shown).
    limit: int | None = None
    values_pattern: re.Pattern = field(default=SLUG_PATTERN, repr=False)

    def condition(self, values):
        raise NotImplementedError

    def counts(self, base):
        """A queryset of rows (value, label, position, n) over the entries of `base`."""
        raise NotImplementedError

    def sort_key(self, row):
        value, label, position, count = row
        return (position, label.lower() if label else value)


@dataclass
class ChoiceFacet(Facet):
    """A column of the entry with a fixed list of choices (kind, language, evidence level)."""

    field_name: str = ""
    choices: list = field(default_factory=list)

    def condition(self, values):
        return Q(**{f"{self.field_name}__in": values})

    def counts(self, base):
        return (
            base.order_by()
            .exclude(**{self.field_name: ""})
            .values(value=F(self.field_name))
            .annotate(label=Value("", output_field=CharField()), place=Value(0), n=Count("pk"))
            .values("value", "label", "place", "n")
        )

    def all_values(self):
        return {value: str(label) for value, label in self.choices}

    def sort_key(self, row):
        order = list(self.all_values())
        return (order.index(row[0]) if row[0] in order else len(order), row[0])


@dataclass
class YearFacet(Facet):
    def condition(self, values):
        return Q(year__in=[int(value) for value in values])

    def counts(self, base):
        return (
            base.order_by()
            .filter(year__isnull=False)
            .values(value=Cast("year", CharField()))
            .annotate(label=Value("", output_field=CharField()), place=Value(0), n=Count("pk"))
            .values("value", "label", "place", "n")
        )

    def sort_key(self, row):
        return (-int(row[0]),)


@dataclass
class VocabularyFacet(Facet):
    """A many-to-many relation of the entry to a vocabulary with slugs (city type, violence type, city)."""

    model: type = None
    relation: str = ""  # the entry's many-to-many field

    @property
    def through(self):
        return Entry._meta.get_field(self.relation).remote_field.through

    @property
    def through_target(self):
        return Entry._meta.get_field(self.relation).m2m_reverse_field_name()

    def condition(self, values):
        return Q(pk__in=self.through.objects.filter(**{f"{self.through_target}__slug__in": values}).values("entry_id"))

    def counts(self, base):
        rows = self.through.objects.filter(entry_id__in=base.values("pk"))
        rows = (
            rows.values(value=F(f"{self.through_target}__slug"))
            .annotate(label=F(f"{self.through_target}__name"), place=Value(0), n=Count("entry_id", distinct=True))
            .values("value", "label", "place", "n")
            .order_by("-n", "value")
        )
        return rows[: self.limit] if self.limit else rows


@dataclass
class TypologyFacet(VocabularyFacet):
    """A small controlled vocabulary of the typology: every term listed, those with no match disabled."""

    def counts(self, base):
        return (
            self.model.objects.order_by()
            .annotate(
                value=F("slug"),
                label=self.model.translated_expression("name"),
                place=F("position"),
                n=Count("entries", filter=Q(entries__in=base.values("pk"))),
            )
            .values("value", "label", "place", "n")
        )


@dataclass
class ThemeFacet(TypologyFacet):
    """Themes nest one level: a parent theme's filter and count include its sub-themes."""

    def condition(self, values):
        matches = Q(theme__slug__in=values) | Q(theme__parent__slug__in=values)
        return Q(pk__in=self.through.objects.filter(matches).values("entry_id"))

    def counts(self, base):
        """Raw SQL around ORM parts: each (entry, theme) row credits the theme and its parent, and
        every theme is listed with the count of distinct entries credited to it."""
        entries = self.through.objects.filter(entry_id__in=base.values("pk"))
        credited = entries.values(credited=F("theme_id"), credited_entry=F("entry_id")).union(
            entries.filter(theme__parent__isnull=False).values(
                credited=F("theme__parent_id"), credited_entry=F("entry_id")
            ),
            all=True,
        )
        sql, params = credited.query.sql_with_params()
        theme = Theme._meta.db_table
        return (
            f"""SELECT th.slug AS value, {Theme.translated_sql("name", "th")} AS label,
                       coalesce(parent.position, th.position) * {SUB_THEME_STEP}
                       + CASE WHEN th.parent_id IS NULL THEN 0 ELSE th.position + 1 END AS place,
                       count(DISTINCT c.credited_entry) AS n
                FROM {theme} th
                LEFT JOIN {theme} parent ON parent.id = th.parent_id
                LEFT JOIN ({sql}) AS c ON c.credited = th.id
                GROUP BY th.id, parent.position""",  # noqa: S608 (table names are the code's own)
            params,
        )


@dataclass
class CountryFacet(Facet):
    values_pattern: re.Pattern = field(default=re.compile(r"^[^\x00-\x1f<>]{1,120}$"), repr=False)

    def condition(self, values):
        through = Entry.cities.through
        return Q(pk__in=through.objects.filter(city__country__in=values).values("entry_id"))

    def counts(self, base):
        return (
            Entry.cities.through.objects.filter(entry_id__in=base.values("pk"))
            .exclude(city__country="")
            .values(value=F("city__country"))
            .annotate(label=F("city__country"), place=Value(0), n=Count("entry_id", distinct=True))
            .values("value", "label", "place", "n")
            .order_by("-n", "value")[: self.limit]
        )

    def sort_key(self, row):
        return (-row[3], row[0])


@dataclass
class TagFacet(Facet):
    def condition(self, values):
        return Q(pk__in=self._tagged().filter(tag__slug__in=values).values("object_id"))

    @staticmethod
    def _tagged():
        # Joined by name rather than by ContentType id: no look-up query, whatever is cached.
        return TaggedItem.objects.filter(content_type__app_label="depository", content_type__model="entry")

    def counts(self, base):
        return (
            self._tagged()
            .filter(object_id__in=base.values("pk"))
            .values(value=F("tag__slug"))
            .annotate(label=F("tag__name"), place=Value(0), n=Count("object_id", distinct=True))
            .values("value", "label", "place", "n")
            .order_by("-n", "value")[: self.limit]
        )

    def sort_key(self, row):
        return (-row[3], row[1].lower())


FACETS = [
    ThemeFacet("theme", _("Theme"), show_empty=True, model=Theme, relation="themes"),
    TypologyFacet("city_type", _("City type"), show_empty=True, model=CityType, relation="city_types"),
    TypologyFacet("violence_type", _("Violence type"), show_empty=True, model=ViolenceType, relation="violence_types"),
    ChoiceFacet("kind", _("Kind"), show_empty=True, field_name="kind", choices=EntryKind.choices),
    ChoiceFacet(
        "evidence",
        _("Strength of evidence"),
        show_empty=True,
        field_name="evidence_level",
        choices=EvidenceLevel.choices,
    ),
    ChoiceFacet("language", _("Language"), show_empty=True, field_name="language", choices=Language.choices),
    YearFacet("year", _("Year"), values_pattern=re.compile(r"^(19|20|21)\d\d$")),
    CountryFacet("country", _("Country"), limit=40),
    VocabularyFacet("city", _("City"), limit=40, model=City, relation="cities"),
    TagFacet("tag", _("Tag"), limit=40),
]
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}


def count_facets(bases):
    """Count every facet's values in one statement. `bases` maps a facet name to the queryset of
    entries its counts apply to (every filter but its own). Returns {name: [(value, label, position, n)]}."""
    parts, params = [], []
    for name, base in bases.items():
        counts = FACETS_BY_NAME[name].counts(base)
        # A facet's counts are a queryset, or (sql, params) where the ORM cannot say it.
        sql, part_params = counts if isinstance(counts, tuple) else counts.query.sql_with_params()
        parts.append(
            f"SELECT %s AS facet, p.value::text, p.label::text, p.place::integer, p.n::integer FROM ({sql}) AS p"  # noqa: S608
        )
        params.extend([name, *part_params])
    rows = {name: [] for name in bases}
    if not parts:
        return rows
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for name, value, label, position, count in cursor.fetchall():
            rows[name].append((value, label or "", position, count))
    return rows
