"""The browse page's facets: their query-string names, labels, how their values are validated,
listed and ordered. Counting and matching are the search's (depository/search/facet_index.py).

Counts are disjunctive, as faceted search engines count: the count beside a value of facet F applies
every active filter except F's own, so a user can widen a facet as well as narrow it.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from depository.models import CityType, EntryKind, EvidenceLevel, Language, Theme, ViolenceType
from places.models import City

SLUG_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")
# Theme facet positions: a sub-theme's position is its parent's times this step, plus its own plus one.
SUB_THEME_STEP = 1000


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
    """One facet of the browse page. `name` is its query-string parameter."""

    name: str
    label: str
    # Values with no match are listed (disabled) when the vocabulary is small and fixed, hidden otherwise.
    show_empty: bool = False
    # Longest list of values shown (the selected values are always shown).
    limit: int | None = None
    values_pattern: re.Pattern = field(default=SLUG_PATTERN, repr=False)
    # The vocabulary whose slugs are this facet's values (None: the values are the stored ones).
    model: type | None = None

    def sort_key(self, row):
        value, label, position, count = row
        return (position, label.lower() if label else value)


@dataclass
class ChoiceFacet(Facet):
    """A column of the entry with a fixed list of choices (kind, language, evidence level)."""

    choices: list = field(default_factory=list)

    def all_values(self):
        return {value: str(label) for value, label in self.choices}

    def sort_key(self, row):
        order = list(self.all_values())
        return (order.index(row[0]) if row[0] in order else len(order), row[0])


@dataclass
class YearFacet(Facet):
    def sort_key(self, row):
        return (-int(row[0]),)


@dataclass
class CountFacet(Facet):
    """A long list (countries, cities, tags): the largest counts first."""

    def sort_key(self, row):
        return (-row[3], (row[1] or row[0]).lower())


FACETS = [
    Facet("theme", _("Theme"), show_empty=True, model=Theme),
    Facet("city_type", _("City type"), show_empty=True, model=CityType),
    Facet("violence_type", _("Violence type"), show_empty=True, model=ViolenceType),
    ChoiceFacet("kind", _("Kind"), show_empty=True, choices=EntryKind.choices),
    ChoiceFacet("evidence", _("Strength of evidence"), show_empty=True, choices=EvidenceLevel.choices),
    ChoiceFacet("language", _("Language"), show_empty=True, choices=Language.choices),
    YearFacet("year", _("Year"), values_pattern=re.compile(r"^(19|20|21)\d\d$")),
    CountFacet("country", _("Country"), limit=40, values_pattern=re.compile(r"^[^\x00-\x1f<>]{1,120}$")),
    Facet("city", _("City"), limit=40, model=City),
    CountFacet("tag", _("Tag"), limit=40),
]
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}
