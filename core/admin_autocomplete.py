"""The admin's pickers (`autocomplete_fields`) match what they show, the name typed, first.

Django's autocomplete view (`/admin/autocomplete/?term=...`) searches the target admin's
`search_fields`, which also serve the change list's search box and there reach into descriptions and
related records: typing "Post" in an entry's city types matched "Conflict setting" by its description
and, listed first, was what Enter saved (issue 22, finding 9). An admin with this mixin searches only
its `autocomplete_search_fields` (the fields its objects' names are made of, in every language) when
the request is the autocomplete view, and lists the names that begin with the term before the others.
"""

from django.db.models import Case, IntegerField, Q, Value, When

AUTOCOMPLETE_URL_NAME = "autocomplete"


def is_autocomplete(request):
    """True for a request to the admin site's autocomplete view (url name "autocomplete")."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == AUTOCOMPLETE_URL_NAME


class AutocompleteByNameMixin:
    """A ModelAdmin mixin: `autocomplete_search_fields` (lookups as in `search_fields`, names only)
    replace `search_fields` in the autocomplete view; matches whose name starts with the term come
    first, then the admin's own order."""

    autocomplete_search_fields = ()

    def get_search_fields(self, request):
        if self.autocomplete_search_fields and is_autocomplete(request):
            return self.autocomplete_search_fields
        return super().get_search_fields(request)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and self.autocomplete_search_fields and is_autocomplete(request):
            begins = Q()
            for field in self.autocomplete_search_fields:
                begins |= Q(**{f"{field.lstrip('^=@')}__istartswith": term})
            ordering = queryset.query.order_by or self.get_ordering(request) or self.model._meta.ordering or ["pk"]
            queryset = queryset.annotate(
                autocomplete_rank=Case(When(begins, then=Value(0)), default=Value(1), output_field=IntegerField())
            ).order_by("autocomplete_rank", *ordering)
        return queryset, may_have_duplicates
