"""The browse page's query string, validated by a django-filter FilterSet.

`?q=` searches (websearch syntax); each facet parameter may repeat: values of one facet are ORed,
facets are ANDed (`?theme=a&theme=b&violence_type=c`). A malformed value (a year that is not a
year, a kind that does not exist, a 5,000-character query) makes the FilterSet invalid and the page
answers 400 saying why; a well-formed slug that names nothing simply matches nothing.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from depository import postings, search
from depository.facets import FACETS, FACETS_BY_NAME, SUB_THEME_STEP, FacetValue, count_facets

# More values than this in one facet is not a person browsing.
MAX_VALUES_PER_FACET = 20
# Past this many matches, a page of results walks the sort's index and keeps the matching rows;
# below it, the matching rows are fetched by id and sorted (depository/postings.py).
WALK_THE_INDEX_FROM = 2000
# A search matching more entries than this ranks, beyond the page asked for, this many candidates of
# each kind (title matches, recent matches) by the full document's relevance.
RANK_WINDOW = 200


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    YEAR = "year"
    TITLE = "title"
    CHOICES = [
        (RELEVANCE, _("Relevance")),
        (NEWEST, _("Newest")),
        (YEAR, _("Year")),
        (TITLE, _("Title")),
    ]


class FacetValuesField(forms.Field):
    """The repeated values of one facet parameter, each checked against the facet's pattern."""

    widget = forms.SelectMultiple  # reads every value of a repeated parameter

    def __init__(self, *, pattern, **kwargs):
        self.pattern = pattern
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return list(dict.fromkeys(item.strip() for item in value if item.strip()))

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_VALUES_PER_FACET:
            raise ValidationError(
                _("At most %(count)d values per filter."), code="too_many", params={"count": MAX_VALUES_PER_FACET}
            )
        for item in value:
            if not self.pattern.match(item):
                raise ValidationError(
                    _("“%(value)s” is not a valid value."), code="invalid", params={"value": item[:60]}
                )


class FacetFilter(django_filters.Filter):
    field_class = FacetValuesField

    def __init__(self, facet, **kwargs):
        self.facet = facet
        super().__init__(field_name=facet.name, label=facet.label, pattern=facet.values_pattern, **kwargs)

    def filter(self, qs, value):
        return qs.filter(self.facet.condition(value)) if value else qs


class ChoiceValuesFilter(FacetFilter):
    """A facet with a fixed list of values: an unknown value is malformed input."""

    field_class = forms.MultipleChoiceField

    def __init__(self, facet, **kwargs):
        self.facet = facet
        django_filters.Filter.__init__(self, field_name=facet.name, label=facet.label, choices=facet.choices, **kwargs)


class EntryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), max_length=search.MAX_QUERY_LENGTH, method="filter_nothing")
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=Sort.CHOICES, method="filter_nothing")
    theme = FacetFilter(FACETS_BY_NAME["theme"])
    city_type = FacetFilter(FACETS_BY_NAME["city_type"])
    violence_type = FacetFilter(FACETS_BY_NAME["violence_type"])
    kind = ChoiceValuesFilter(FACETS_BY_NAME["kind"])
    evidence = ChoiceValuesFilter(FACETS_BY_NAME["evidence"])
    language = ChoiceValuesFilter(FACETS_BY_NAME["language"])
    year = FacetFilter(FACETS_BY_NAME["year"])
    country = FacetFilter(FACETS_BY_NAME["country"])
    city = FacetFilter(FACETS_BY_NAME["city"])
    tag = FacetFilter(FACETS_BY_NAME["tag"])

    def __init__(self, *args, public=False, **kwargs):
        """`public`: the queryset is the published entries, so the facet index answers (postings.py)."""
        super().__init__(*args, **kwargs)
        self.public = public
        self.total = None  # set by facets() from the facet index
        # Ranking by relevance: the entries ranked are the candidates facets() finds (the most recent
        # `rank_window` matches, and as many of the matches with the words in their title); the view
        # sets the window to reach past the page asked for.
        self.rank_window = RANK_WINDOW
        self.candidates = None

    def filter_nothing(self, queryset, name, value):
        return queryset

    # -- what was asked ------------------------------------------------------------------------
    @property
    def search_text(self):
        return (self.form.cleaned_data.get("q") or "").strip()

    @property
    def sort_order(self):
        chosen = self.form.cleaned_data.get("sort")
        if chosen == Sort.RELEVANCE and not self.search_text:
            chosen = None
        return chosen or (Sort.RELEVANCE if self.search_text else Sort.NEWEST)

    def selected(self):
        """{facet name: [values]} of the active facet filters."""
        return {facet.name: self.form.cleaned_data.get(facet.name) or [] for facet in FACETS}

    @property
    def is_filtered(self):
        return bool(self.search_text) or any(self.selected().values())

    # -- the entries ---------------------------------------------------------------------------
    def entries(self, *, except_facet=None):
        """The entries matching the search and every facet filter except `except_facet`."""
        queryset = self.queryset
        if self.search_text:
            queryset = queryset.filter(search.matching(self.search_text))
        for name, values in self.selected().items():
            if values and name != except_facet:
                queryset = queryset.filter(FACETS_BY_NAME[name].condition(values))
        return queryset

    def search_sql(self):
        """SQL of the bit string of the search's matches (depository/lexicon.py), or None."""
        return search.matching_bits_sql(self.search_text) if self.search_text else None

    def indexed_entries(self):
        """The published entries matching, from the facet index (postings.py)."""
        if self.candidates is not None and self.sort_order == Sort.RELEVANCE:
            # Only the candidates that can reach this page are ranked (see facets()); one array
            # parameter rather than an IN list of ~800 (the ORM prepares each one).
            condition = f"{self.queryset.model._meta.db_table}.id = ANY(%s)"
            return self.queryset.filter(RawSQL(condition, [self.candidates], output_field=BooleanField()))  # noqa: S611
        column = f"{self.queryset.model._meta.db_table}.id::integer"
        sql, params = postings.matching_condition(
            self.selected(), self.search_sql(), column, total=self.total, walk_from=WALK_THE_INDEX_FROM
        )
        return self.queryset.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611 (the code's own SQL)

    def filter_queryset(self, queryset):
        results = self.indexed_entries() if self.public else self.entries()
        if self.search_text:
            results = search.with_rank(results, self.search_text)
        order = {
            Sort.RELEVANCE: [F("rank").desc(), F("published_at").desc(nulls_last=True)],
            Sort.NEWEST: [F("published_at").desc(nulls_last=True), "-created_at"],
            Sort.YEAR: [F("year").desc(nulls_last=True), Lower("title")],
            Sort.TITLE: [Lower("title")],
        }[self.sort_order]
        return results.order_by(*order, "pk")

    # -- the facets ----------------------------------------------------------------------------
    def facets(self):
        """Each facet with its values: counts, selection, and the values that name nothing."""
        selected = self.selected()
        if self.public:
            ranked = self.search_text and self.sort_order == Sort.RELEVANCE
            ranking = (search.title_matching_ids_sql(self.search_text), search.query_lexemes_sql(self.search_text))
            self.total, counted, self.candidates = postings.count(
                selected, self.search_sql(), ranking=ranking if ranked else None, window=self.rank_window
            )
        else:
            counted = count_facets({facet.name: self.entries(except_facet=facet.name) for facet in FACETS})
        listing = []
        for facet in FACETS:
            chosen = selected[facet.name]
            rows = {row[0]: row for row in counted[facet.name]}
            if hasattr(facet, "all_values"):
                for value, label in facet.all_values().items():
                    count = rows.get(value, (value, "", 0, 0))[3]
                    rows[value] = (value, label, 0, count)
            values = []
            for value, label, position, count in sorted(rows.values(), key=facet.sort_key):
                is_selected = value in chosen
                if count == 0 and not (facet.show_empty or is_selected):
                    continue
                item = FacetValue(value=value, label=label or value, count=count, selected=is_selected)
                item.is_child = facet.name == "theme" and position % SUB_THEME_STEP != 0
                values.append(item)
            if facet.limit:
                values = [v for i, v in enumerate(values) if i < facet.limit or v.selected]
            known = {item.value for item in values} | set(rows)
            listing.append(
                {
                    "facet": facet,
                    "values": values,
                    "unknown": [value for value in chosen if value not in known] if facet.show_empty else [],
                }
            )
        return listing

    def chips(self, facets):
        """The active filters, each with the URL that removes it."""
        labels = {(item["facet"].name, value.value): value.label for item in facets for value in item["values"]}
        chips = []
        if self.search_text:
            chips.append({"facet": _("Search"), "label": self.search_text, "remove_url": self.url_without("q")})
        for name, values in self.selected().items():
            for value in values:
                chips.append(
                    {
                        "facet": FACETS_BY_NAME[name].label,
                        "label": labels.get((name, value), value),
                        "remove_url": self.url_without(name, value),
                    }
                )
        return chips

    # -- links ---------------------------------------------------------------------------------
    def query_string(self, **changes):
        """This page's query string (without the page number), with `changes` applied."""
        params = QueryDict(mutable=True)
        for key in ["q", "sort", *FACETS_BY_NAME]:
            for value in self.data.getlist(key) if hasattr(self.data, "getlist") else []:
                if value.strip():
                    params.appendlist(key, value)
        for key, value in changes.items():
            params.pop(key, None)
            if value is not None:
                params[key] = value
        return params.urlencode()

    def url_without(self, name, value=None):
        params = QueryDict(self.query_string(), mutable=True)
        if value is None:
            params.pop(name, None)
        else:
            params.setlist(name, [v for v in params.getlist(name) if v != value])
        encoded = params.urlencode()
        return f"?{encoded}" if encoded else "?"
