# ruff: noqa: S608 (the SQL here is built from the code's own table, column and facet names; values are parameters)
"""The browse page's facets, each declared once: its query-string name, label, where an entry's
values come from, how values are validated, labelled, listed and ordered.

A declaration (a `Facet`) drives everything a facet is:
- the query string's filter (`make_filter`, added to depository.filters.EntryFilterSet);
- the facet rows' terms: `entry_values_sql()` (the entry's column or relation that gives its values)
  becomes one arm of the SQL function depository_facet_values, generated from the registry and
  installed by depository.search.facet_values at `migrate` (and when the setting changes);
- the counting statement (`terms_sql`, `label_sql`, `limit`, `show_empty`: depository/search/facet_index.py);
- the listing and the browse page's fieldsets (`sort_key`, `is_child`, `label`).

The registry is the setting DEPOSITORY_FACETS: a list of declarations or dotted paths to one
declaration or to a list of them, in display order (default: this module's FACETS). Adding a facet
is one declaration there and `manage.py migrate` (which installs the new function and fills the
facet's rows from the entries: docs/architecture.md, "How to add a facet").

Counts are disjunctive, as faceted search engines count: the count beside a value of facet F applies
every active filter except F's own, so a user can widen a facet as well as narrow it.
"""

import functools
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from depository.models import CityType, Entry, EntryKind, EvidenceLevel, Language, Theme, ViolenceType
from places.models import City

SLUG_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
# Theme facet positions: a sub-theme's position is its parent's times this step, plus its own plus one.
SUB_THEME_STEP = 1000
# A facet's name is a query-string parameter, a string in SQL and part of SQL names (f_<name>, least_<name>).
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# The browse page's other parameters, and the facet row a public search starts from.
RESERVED_NAMES = {"q", "sort", "page", "status"}


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False
    # A sub-theme, listed indented under its parent theme.
    is_child: bool = False


@dataclass
class Facet:
    """One facet of the browse page. `name` is its query-string parameter.

    Its values come from `source`, the name of a field of Entry (a column: its value; a foreign key
    or many-to-many relation: the related rows' ids), or from `values_sql` when a field cannot say
    it: SQL giving (value, entry id) rows for the entries being indexed, over `k` (their ids, column
    `id`) and `e` (their depository_entry rows); never a NULL value. The rows of the entry and of its
    many-to-many tables are watched (a write reindexes its entries at commit); `watch` adds other
    tables: (table, SQL of the entry ids touched over the transition table written `%s`)."""

    name: str
    label: str
    # Values with no match are listed (disabled) when the vocabulary is small and fixed, hidden otherwise.
    show_empty: bool = False
    # Longest list of values shown (the selected values are always shown).
    limit: int | None = None
    values_pattern: re.Pattern = field(default=SLUG_PATTERN, repr=False)
    source: str = ""
    values_sql: str = field(default="", repr=False)
    watch: tuple = ()

    def entry_values_sql(self):
        """SQL of (value, entry id) of the entries being indexed (see the class)."""
        if self.values_sql:
            return self.values_sql
        entry_field = Entry._meta.get_field(self.source or self.name)
        if entry_field.many_to_many:
            through = entry_field.remote_field.through._meta
            own, other = entry_field.m2m_column_name(), entry_field.m2m_reverse_name()
            return f"SELECT t.{other}, t.{own} FROM k JOIN {through.db_table} t ON t.{own} = k.id"
        column = entry_field.column
        # No value where the field may be NULL or blank; no condition where it cannot be (kind, language).
        absent = [f"e.{column} IS NOT NULL"] * entry_field.null
        absent += [f"e.{column} <> ''"] * (entry_field.blank and isinstance(entry_field, models.CharField))
        where = f" WHERE {' AND '.join(absent)}" if absent else ""
        return f"SELECT e.{column}, e.id FROM e{where}"

    def column_condition(self, values):
        """Q of the entries whose own column holds one of `values`: the entries of those values' facet
        rows, said as a column predicate. None for a facet whose values are not one column of the entry
        (a relation, `values_sql`) or when no value fits the column (the year "none" of an empty range).
        The facet rows stay the filter; this lets a page of results walk only the stretch of the sort's
        index that can hold them (a year is the sort's first key: for one year of twenty the walk read
        ~75,000 index entries at 100,000 entries, issue 23)."""
        if self.values_sql:
            return None
        entry_field = Entry._meta.get_field(self.source or self.name)
        if entry_field.is_relation:
            return None
        typed = []
        for value in values:
            try:
                typed.append(entry_field.to_python(value))
            except ValidationError:
                continue
        return Q(**{f"{entry_field.name}__in": typed}) if typed else None

    def watched(self):
        """(table, SQL of entry ids over the transition table `%s`) whose writes change the values."""
        watched = list(self.watch)
        if not self.values_sql:
            entry_field = Entry._meta.get_field(self.source or self.name)
            if entry_field.many_to_many:
                through = entry_field.remote_field.through._meta.db_table
                watched.append((through, f"SELECT {entry_field.m2m_column_name()} FROM %s"))
        return watched

    def terms_tables(self):
        """The tables `terms_sql` reads: a write to one (a term renamed, added, moved) changes what the
        facet lists, so it gives the search index a new generation at its commit (sql/search_v3.sql)."""
        return ()

    def terms_sql(self, public):
        """For values that are a vocabulary's row ids: SQL giving (key, slug, label, place) per term,
        `key` the stored value, `slug` the query string's (`public`: for a search that shows only what
        the public may see). None when the stored values are what the query string carries."""
        return None

    def label_sql(self):
        """The label of a value that has no terms: SQL over the facet row `p` ('' shows the value)."""
        return "''"

    def is_child(self, place):
        """Whether the value at `place` (terms_sql's) is listed indented under the one before."""
        return False

    def sort_key(self, row):
        value, label, position, count = row
        return (position, label.lower() if label else value)

    def make_filter(self):
        """The query string's filter of this facet (depository.filters.EntryFilterSet)."""
        from depository.filters import FacetFilter  # the filters module reads this one's registry

        return FacetFilter(self)


@dataclass
class VocabularyFacet(Facet):
    """Values that are the ids of a model's rows (`model`: slug and name, and a position if it has
    one); the query string carries the slugs, the page the names (translated where the model is)."""

    model: type | None = None

    def terms_tables(self):
        return (self.model._meta.db_table,)

    def terms_sql(self, public):
        table = self.model._meta.db_table
        # The page's language, or English, where the model is translated.
        label = self.model.translated_sql("name", table) if hasattr(self.model, "translated_sql") else "name"
        has_position = any(model_field.name == "position" for model_field in self.model._meta.fields)
        place = "position" if has_position else "0"
        return f"SELECT id::text AS key, slug, {label} AS label, {place} AS place FROM {table}"


@dataclass
class ThemeFacet(VocabularyFacet):
    """Themes: a sub-theme listed under its parent, whose row also holds the sub-theme's entries."""

    def terms_sql(self, public):
        themes = self.model._meta.db_table
        return (
            f"SELECT th.id::text AS key, th.slug, {self.model.translated_sql('name', 'th')} AS label, "
            f"coalesce(parent.position, th.position) * "
            f"{SUB_THEME_STEP} + CASE WHEN th.parent_id IS NULL THEN 0 ELSE th.position + 1 END AS place "
            f"FROM {themes} th LEFT JOIN {themes} parent ON parent.id = th.parent_id"
        )

    def is_child(self, place):
        return place % SUB_THEME_STEP != 0


@dataclass
class ChoiceFacet(Facet):
    """A column of the entry with a fixed list of choices (kind, language, evidence level)."""

    choices: list = field(default_factory=list)

    def all_values(self):
        return {value: str(label) for value, label in self.choices}

    def sort_key(self, row):
        # The choices' order, by value: no label is translated to sort (all_values() per row did that:
        # ~120 translations a browse page).
        order = {value: position for position, (value, _label) in enumerate(self.choices)}
        return (order.get(row[0], len(order)), row[0])

    def make_filter(self):
        from depository.filters import ChoiceValuesFilter

        return ChoiceValuesFilter(self)


@dataclass
class YearFacet(Facet):
    def sort_key(self, row):
        return (-int(row[0]),)


@dataclass
class CountFacet(Facet):
    """A long list (countries, cities, tags): the largest counts first; a value is its own label."""

    def label_sql(self):
        return "p.value"

    def sort_key(self, row):
        return (-row[3], (row[1] or row[0]).lower())


@dataclass
class TagFacet(CountFacet):
    """django-taggit's tags of the entry; a public search neither lists nor filters by the
    organizers' internal tags."""

    def terms_tables(self):
        return ("taggit_tag", "depository_internaltag")

    def terms_sql(self, public):
        internal = (
            " WHERE NOT EXISTS (SELECT 1 FROM depository_internaltag i WHERE i.tag_id = taggit_tag.id)"
            if public
            else ""
        )
        return f"SELECT id::text AS key, slug, name AS label, 0 AS place FROM taggit_tag{internal if public else ''}"


FACETS = [
    ThemeFacet(
        "theme",
        _("Theme"),
        show_empty=True,
        model=Theme,
        # A parent theme's row holds its sub-themes' entries too.
        values_sql=(
            "SELECT t.theme_id, t.entry_id FROM k JOIN depository_entry_themes t ON t.entry_id = k.id "
            "UNION ALL SELECT th.parent_id, t.entry_id FROM k JOIN depository_entry_themes t ON t.entry_id = k.id "
            "JOIN depository_theme th ON th.id = t.theme_id WHERE th.parent_id IS NOT NULL"
        ),
    ),
    VocabularyFacet("city_type", _("City type"), show_empty=True, source="city_types", model=CityType),
    VocabularyFacet("violence_type", _("Violence type"), show_empty=True, source="violence_types", model=ViolenceType),
    ChoiceFacet("kind", _("Kind"), show_empty=True, choices=EntryKind.choices),
    ChoiceFacet(
        "evidence", _("Strength of evidence"), show_empty=True, source="evidence_level", choices=EvidenceLevel.choices
    ),
    ChoiceFacet("language", _("Language"), show_empty=True, choices=Language.choices),
    YearFacet("year", _("Year"), values_pattern=re.compile(r"^(19|20|21)\d\d$")),
    CountFacet(
        "country",
        _("Country"),
        limit=40,
        values_pattern=re.compile(r"^[^\x00-\x1f<>]{1,120}$"),
        values_sql=(
            "SELECT c.country, t.entry_id FROM k JOIN depository_entry_cities t ON t.entry_id = k.id "
            "JOIN depository_city c ON c.id = t.city_id WHERE c.country <> ''"
        ),
        # Watched already: the entry's cities, and a city's row (search_v1.sql, for the documents).
    ),
    # Not a CountFacet: today's city list is ordered by name, not by count.
    VocabularyFacet("city", _("City"), limit=40, source="cities", model=City),
    TagFacet(
        "tag",
        _("Tag"),
        limit=40,
        values_sql=(
            "SELECT ti.tag_id, ti.object_id FROM k JOIN taggit_taggeditem ti ON ti.object_id = k.id "
            "JOIN django_content_type ct ON ct.id = ti.content_type_id "
            "WHERE ct.app_label = 'depository' AND ct.model = 'entry'"
        ),
    ),
]


# -- the registry ----------------------------------------------------------------------------------
def _declarations(item):
    found = import_string(item) if isinstance(item, str) else item
    return list(found) if isinstance(found, list | tuple) else [found]


@functools.cache
def registered():
    """The facets of settings.DEPOSITORY_FACETS, in display order. ImproperlyConfigured on a name
    that cannot be a query-string parameter and an SQL name, or that is taken."""
    facets = [facet for item in settings.DEPOSITORY_FACETS for facet in _declarations(item)]
    seen = set()
    for facet in facets:
        if not isinstance(facet, Facet):
            raise ImproperlyConfigured(f"DEPOSITORY_FACETS: {facet!r} is not a depository.facets.Facet.")
        if not NAME_PATTERN.match(facet.name) or facet.name in RESERVED_NAMES | seen:
            raise ImproperlyConfigured(
                f"DEPOSITORY_FACETS: the name {facet.name!r} is malformed, reserved or repeated."
            )
        seen.add(facet.name)
    return facets


@functools.cache
def by_name():
    """{name: Facet} of the registered facets."""
    return {facet.name: facet for facet in registered()}
