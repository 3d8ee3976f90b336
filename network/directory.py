"""The members' directory: profiles faceted by the depository's own vocabularies, with the
depository's facet machinery (docs/network.md, "What the directory shares with the depository").

Shared, not copied:
- the facet declarations: the directory's facets are the depository registry's own `theme`,
  `city_type`, `violence_type`, `city` and `language` (`depository.facets.by_name()`): the same
  query-string names, labels, value patterns, and each declaration's `make_filter()`, so a
  directory link and a browse link filter by the same parameters and are validated alike;
- the parsing: a django-filter FilterSet (`PeopleFilterSet`) built from those filters, as
  `depository.filters.EntryFilterSet` is; a malformed value is a 400 saying why;
- the listing: `depository.facets.FacetValue` rows rendered by the depository's `{% facet_values %}`
  tag, and disjunctive counts (a facet's counts apply every other active filter, not its own).

Not shared: the depository's facet *index* (precomputed rows per entry kept by triggers, sized for
100,000 entries). A directory holds hundreds of people; each facet's counts are one SQL statement
over the visible profiles (a correlated count per term), so a page costs the same whatever the
number of people.
"""

from dataclasses import dataclass

import django_filters
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from depository import facets
from depository.facets import FacetValue
from depository.models import CityType, Language, Theme, ViolenceType
from network.models import Profile
from places.models import City

MAX_NAME_QUERY = 100
PAGE_SIZE = 30
# Cities listed in the facet at most (those chosen always are): the depository's city facet's limit.
CITY_LIMIT = 40


@dataclass(frozen=True)
class Dimension:
    """One facet of the directory: the depository's declaration `name`, and where a profile's values are."""

    name: str
    model: type | None  # the vocabulary (values are its slugs); None for the languages (codes)
    through: str = ""  # the profile's many-to-many field

    @property
    def facet(self):
        return facets.by_name()[self.name]


DIMENSIONS = [
    Dimension("theme", Theme, "themes"),
    Dimension("city_type", CityType, "city_types"),
    Dimension("violence_type", ViolenceType, "violence_types"),
    Dimension("city", City, "cities"),
    Dimension("language", None),
]


class PeopleFilterSet(django_filters.FilterSet):
    """`q` (a name), then one filter per dimension, made by the depository's own declaration."""

    q = django_filters.CharFilter(label=_("Name"), max_length=MAX_NAME_QUERY, method="filter_nothing")

    class Meta:
        model = Profile
        fields = []

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset if queryset is not None else Profile.objects.none(), **kwargs)
        for dimension in DIMENSIONS:
            facet_filter = dimension.facet.make_filter()
            facet_filter.model, facet_filter.parent = Profile, self
            self.filters[dimension.name] = facet_filter

    def filter_nothing(self, queryset, name, value):
        return queryset

    @property
    def name_query(self):
        return (self.form.cleaned_data.get("q") or "").strip()

    def chosen(self):
        """{dimension name: [values]} of the active filters."""
        return {dimension.name: self.form.cleaned_data.get(dimension.name) or [] for dimension in DIMENSIONS}


def _term_condition(dimension, profile_ref, term_ref):
    """SQL condition: the profile `profile_ref` carries the term `term_ref` (for themes: or one of its
    sub-themes, as the depository's theme facet counts a parent theme)."""
    through = getattr(Profile, dimension.through).through
    column = dimension.model._meta.model_name
    links = through.objects.filter(profile_id=profile_ref)
    if dimension.model is Theme:
        return Exists(links.filter(Q(theme_id=term_ref) | Q(theme__parent_id=term_ref)))
    return Exists(links.filter(**{f"{column}_id": term_ref}))


def _filter_by(queryset, dimension, values):
    if not values:
        return queryset
    if dimension.model is None:
        return queryset.filter(languages__overlap=values)
    terms = dimension.model.objects.filter(slug__in=values).values("pk")
    return queryset.filter(_any_term(dimension, terms))


def _any_term(dimension, terms):
    """Q: the profile carries one of `terms` (a queryset of term ids), sub-themes counting for their parent."""
    through = getattr(Profile, dimension.through).through
    column = dimension.model._meta.model_name
    links = through.objects.filter(profile_id=OuterRef("pk"))
    if dimension.model is Theme:
        return Q(Exists(links.filter(Q(theme_id__in=terms) | Q(theme__parent_id__in=terms))))
    return Q(Exists(links.filter(**{f"{column}_id__in": terms})))


def filtered(base, filterset, *, except_dimension=None):
    """`base` with the name query and every chosen facet applied but `except_dimension`'s."""
    queryset = base
    if filterset.name_query:
        queryset = queryset.filter(member__person__name__icontains=filterset.name_query)
    chosen = filterset.chosen()
    for dimension in DIMENSIONS:
        if dimension.name != except_dimension:
            queryset = _filter_by(queryset, dimension, chosen[dimension.name])
    return queryset


def _count_subquery(profiles, dimension):
    """The number of `profiles` carrying the outer term (one correlated count, no GROUP BY)."""
    matching = profiles.filter(_term_condition(dimension, OuterRef("pk"), OuterRef(OuterRef("pk"))))
    counted = matching.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def facet_listing(base, filterset):
    """[{"facet", "values": [FacetValue]}] for the directory's side panel: one query per facet."""
    chosen = filterset.chosen()
    listing = []
    for dimension in DIMENSIONS:
        profiles = filtered(base, filterset, except_dimension=dimension.name)
        selected = set(chosen[dimension.name])
        if dimension.model is None:
            counts = profiles.aggregate(
                **{code: Count("pk", filter=Q(languages__contains=[code])) for code, _label in Language.choices}
            )
            values = [
                FacetValue(value=code, label=str(label), count=counts[code], selected=code in selected)
                for code, label in Language.choices
            ]
        else:
            terms = dimension.model.objects.annotate(n=_count_subquery(profiles, dimension))
            if dimension.model is City:
                terms = terms.filter(Q(n__gt=0) | Q(slug__in=selected)).order_by("-n", "name")[:CITY_LIMIT]
            elif dimension.model is Theme:
                terms = terms.order_by(
                    Coalesce("parent__position", "position"),
                    Coalesce("parent_id", "id"),
                    F("parent_id").asc(nulls_first=True),
                    "position",
                    "name",
                )
            values = [
                FacetValue(
                    value=term.slug,
                    label=str(getattr(term, "translated_name", term.name)),
                    count=term.n,
                    selected=term.slug in selected,
                    is_child=getattr(term, "parent_id", None) is not None,
                )
                for term in terms
            ]
        listing.append({"facet": dimension.facet, "values": values})
    return listing
