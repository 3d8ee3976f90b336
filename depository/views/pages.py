"""The TWG's deliverables as pages: the annotated literature review, the typology, the glossary."""

from itertools import groupby

from django.db.models import Count, F, Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_safe

from depository import exports
from depository.creators import creators_prefetch
from depository.models import CityType, Entry, GlossaryTerm, Theme, ViolenceType
from depository.models.translations import in_alphabetical_order
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
    """City types down, violence types across; each cell the number of published entries with both.
    Five queries: city types (with example cities), violence types, the cell counts in one GROUP BY, and
    the inception report's groups of example cities."""
    city_types = list(CityType.objects.prefetch_related(Prefetch("cities", queryset=City.objects.order_by("name"))))
    violence_types = list(ViolenceType.objects.all())
    cells = (
        Entry.city_types.through.objects.filter(entry__status="published", entry__violence_types__isnull=False)
        .values("citytype_id", violence_type_id=F("entry__violence_types"))
        .annotate(count=Count("entry_id", distinct=True))
        .order_by()
    )
    counts = {(cell["citytype_id"], cell["violence_type_id"]): cell["count"] for cell in cells}
    rows = [
        {
            "city_type": city_type,
            "cells": [
                {"violence_type": violence_type, "count": counts.get((city_type.pk, violence_type.pk), 0)}
                for violence_type in violence_types
            ],
        }
        for city_type in city_types
    ]
    # The example cities as the inception report groups them (work plan item 7), without type names.
    examples = City.objects.filter(typology_example_group__isnull=False).order_by("typology_example_group", "name")
    example_groups = [list(group) for _, group in groupby(examples, key=lambda city: city.typology_example_group)]
    return render(
        request,
        "depository/typology.html",
        {"rows": rows, "violence_types": violence_types, "example_groups": example_groups},
    )


@require_safe
def glossary(request):
    # Alphabetical in the visitor's language, by the term as the page shows it.
    order = in_alphabetical_order(GlossaryTerm.translated_expression("term"))
    return render(request, "depository/glossary.html", {"terms": GlossaryTerm.objects.order_by(order, "term")})
