"""The TWG's deliverables as pages: the annotated literature review, the typology (the evidence and gap
map), the glossary."""

from itertools import groupby

from django.db.models import F, Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from depository import exports
from depository.creators import creators_prefetch
from depository.models import CityType, Entry, EntryKind, EvidenceLevel, GlossaryTerm, Language, Theme, ViolenceType
from depository.models.translations import in_alphabetical_order
from depository.search.evidence_map import evidence_map
from places.models import City


def literature_entries():
    return (
        Entry.objects.published()
        .literature()
        .defer("body")
        .prefetch_related(creators_prefetch())
        .order_by(F("year").desc(nulls_last=True), "title")
    )


@require_safe
def literature(request):
    """Every published publication with its annotation, grouped by theme (an entry appears under each
    of its themes; those with none at the end). Three queries."""
    themes = (
        Theme.objects.select_related("parent")
        .prefetch_related(Prefetch("entries", queryset=literature_entries(), to_attr="literature"))
        .order_by(F("parent__position").asc(nulls_first=True), "parent__name", "position", "name")
    )
    groups = [theme for theme in themes if theme.literature]
    unthemed = literature_entries().filter(themes__isnull=True)
    context = {"groups": groups, "unthemed": unthemed, "export_formats": exports.on_literature()}
    return render(request, "depository/literature.html", context)


@require_safe
def typology(request):
    """The evidence and gap map (issue 21): themes down, city types or violence types across
    (`?columns=`), each cell the entries with both, sized by their number and coloured by their
    strongest evidence level, a link to the browse page filtered to exactly them; the browse page's
    other filters (kind, language, years...) apply. Below it, the vocabularies' descriptions and the
    inception report's example cities. Six queries: the city types and their example cities (2), the
    violence types, the themes, the cells (from the facet index, one statement), the example groups."""
    columns = "violence_type" if request.GET.get("columns") == "violence_type" else "city_type"
    city_types = list(CityType.objects.prefetch_related(Prefetch("cities", queryset=City.objects.order_by("name"))))
    violence_types = list(ViolenceType.objects.all())
    found = evidence_map(
        request.GET,
        request.user,
        columns=columns,
        browse_url=reverse("depository:browse"),
        column_terms=city_types if columns == "city_type" else violence_types,
    )
    # The example cities as the inception report groups them (work plan item 7), without type names.
    examples = City.objects.filter(typology_example_group__isnull=False).order_by("typology_example_group", "name")
    example_groups = [list(group) for _, group in groupby(examples, key=lambda city: city.typology_example_group)]
    context = {
        "map": found,
        "columns_choices": [("city_type", _("City types")), ("violence_type", _("Violence types"))],
        "kinds": EntryKind.choices,
        "languages": Language.choices,
        "evidence_levels": EvidenceLevel.choices,
        "city_types": city_types,
        "violence_types": violence_types,
        "example_groups": example_groups,
    }
    # Malformed filters: say what was not understood (the form shows it), never a 500.
    return render(request, "depository/typology.html", context, status=400 if found.errors else 200)


@require_safe
def glossary(request):
    # Alphabetical in the visitor's language, by the term as the page shows it.
    order = in_alphabetical_order(GlossaryTerm.translated_expression("term"))
    return render(request, "depository/glossary.html", {"terms": GlossaryTerm.objects.order_by(order, "term")})
