from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from depository.models import Entry


@require_safe
def browse(request):
    entries = Entry.objects.visible_to(request.user).for_listing()
    page = Paginator(entries, 20).get_page(request.GET.get("page"))
    return render(request, "depository/browse.html", {"page": page})


@require_safe
def entry_detail(request, slug):
    entry = get_object_or_404(
        Entry.objects.visible_to(request.user).prefetch_related(
            "themes", "city_types", "violence_types", "cities", "tags"
        ),
        slug=slug,
    )
    return render(request, "depository/entry_detail.html", {"entry": entry})
