"""The browse page's query string, validated by a django-filter FilterSet.

`?q=` searches (websearch syntax); each facet parameter may repeat: values of one facet are ORed,
facets are ANDed (`?theme=a&theme=b&violence_type=c`). A malformed value (a year that is not a
year, a kind that does not exist, a 5,000-character query) makes the FilterSet invalid and the page
answers 400 saying why; a well-formed slug that names nothing simply matches nothing.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from depository import facets
from places.countries import country_name

# The longest query the browse page accepts, in characters.
MAX_QUERY_LENGTH = 200
# The years a range may name: the year facet's values are 1900-2199 (depository/facets.py).
FIRST_YEAR, LAST_YEAR = 1900, 2199
# More values than this in one facet is not a person browsing.
MAX_VALUES_PER_FACET = 20


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
    """One facet's parameter, parsed and validated; depository.search applies it."""

    field_class = FacetValuesField

    def __init__(self, facet, **kwargs):
        self.facet = facet
        super().__init__(field_name=facet.name, label=facet.label, pattern=facet.values_pattern, **kwargs)


class ChoiceValuesFilter(FacetFilter):
    """A facet with a fixed list of values: an unknown value is malformed input."""

    field_class = forms.MultipleChoiceField

    def __init__(self, facet, **kwargs):
        self.facet = facet
        django_filters.Filter.__init__(self, field_name=facet.name, label=facet.label, choices=facet.choices, **kwargs)


class SharedFields(dict):
    """A form class's `base_fields` whose forms share the field objects rather than deep-copying them.

    Django deep-copies every field (widget, choices, lazy labels) for each form, so that a form may
    change its own fields. This form only cleans the query string: it is never rendered (the browse
    page writes its own inputs) and nothing changes its fields, so the copies were pure cost: 0.17 of
    the 0.33 ms of parsing a one-facet query string, and ~3% of a gunicorn worker's time serving
    one-facet pages (py-spy, 100,000 entries, issue 23)."""

    def __deepcopy__(self, memo):
        return dict(self)


class EntryFilterSet(django_filters.FilterSet):
    """`q`, `sort`, then one filter per registered facet (depository.facets: each declaration makes its own)."""

    q = django_filters.CharFilter(label=_("Search"), max_length=MAX_QUERY_LENGTH, method="filter_nothing")
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=Sort.CHOICES, method="filter_nothing")
    # A range of years of publication (issue 22, finding 9): the browse page, the feed, alerts and the
    # API read it. It becomes a choice of the year facet's values (`selected`), so the search counts and
    # matches it with the facet rows it already has.
    year_from = django_filters.NumberFilter(
        label=_("From year"), method="filter_nothing", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    year_to = django_filters.NumberFilter(
        label=_("Until year"), method="filter_nothing", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        for facet in facets.registered():
            facet_filter = facet.make_filter()
            facet_filter.model, facet_filter.parent = self.queryset.model, self
            self.filters[facet.name] = facet_filter

    # (the facet registry, the form class built for it): see get_form_class.
    _form_class = (None, None)

    def get_form_class(self):
        """django-filter builds a form class (a new field per filter, then a new class) for every
        FilterSet; this one's filters are the same for every request under one facet registry, so its
        form class is built once per registry (issue 23: ~a fifth of the parsing's time), and its
        forms share its fields (SharedFields)."""
        registry, form_class = EntryFilterSet._form_class
        if registry is not facets.registered():
            form_class = super().get_form_class()
            form_class.base_fields = SharedFields(form_class.base_fields)
            EntryFilterSet._form_class = (facets.registered(), form_class)
        return form_class

    def filter_nothing(self, queryset, name, value):
        return queryset

    @property
    def qs(self):
        raise AttributeError("EntryFilterSet parses the query string only: depository.search.search() answers it.")

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

    def is_valid(self):
        valid = super().is_valid()
        start, end = self.year_range
        if valid and start and end and start > end:
            self.form.add_error("year_to", _("The last year comes before the first."))
            return False
        return valid

    @property
    def year_range(self):
        """(first year or None, last year or None) of the range asked for; call after is_valid()."""
        data = getattr(self.form, "cleaned_data", {})
        start, end = data.get("year_from"), data.get("year_to")
        return (int(start) if start is not None else None, int(end) if end is not None else None)

    def selected(self):
        """{facet name: [values]} of the active facet filters. A year range is the year facet's values
        within it: the chosen years inside the range, or every year of the range if none is chosen."""
        chosen = self.chosen_facet_values()
        start, end = self.year_range
        if (start or end) and "year" in chosen:
            start, end = start or FIRST_YEAR, end or LAST_YEAR
            in_range = [str(year) for year in range(start, end + 1)]
            chosen["year"] = [year for year in chosen["year"] if year in in_range] if chosen["year"] else in_range
            if not chosen["year"]:
                chosen["year"] = ["none"]  # chosen years all outside the range: a value that matches nothing
        return chosen

    def chosen_facet_values(self):
        """{facet name: [values]} as the query string names them (the chips), without the year range."""
        return {facet.name: self.form.cleaned_data.get(facet.name) or [] for facet in facets.registered()}

    @property
    def is_filtered(self):
        return bool(self.search_text) or any(self.selected().values())

    def chips(self, listing):
        """The active filters, each with the URL that removes it."""
        labels = {(item["facet"].name, value.value): value.label for item in listing for value in item["values"]}
        chips = []
        if self.search_text:
            chips.append({"facet": _("Search"), "label": self.search_text, "remove_url": self.url_without("q")})
        for name, label in [("year_from", _("From year")), ("year_to", _("Until year"))]:
            value = self.form.cleaned_data.get(name)
            if value is not None:
                chips.append({"facet": label, "label": str(int(value)), "remove_url": self.url_without(name)})
        for name, values in self.chosen_facet_values().items():
            for value in values:
                chips.append(
                    {
                        "facet": facets.by_name()[name].label,
                        # Countries are keyed by their English name; shown in the page's language.
                        "label": country_name(labels.get((name, value), value))
                        if name == "country"
                        else labels.get((name, value), value),
                        "remove_url": self.url_without(name, value),
                    }
                )
        return chips

    # -- links ---------------------------------------------------------------------------------
    def query_string(self, **changes):
        """This page's query string (without the page number), with `changes` applied."""
        params = QueryDict(mutable=True)
        for key in ["q", "sort", "year_from", "year_to", *facets.by_name()]:
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
