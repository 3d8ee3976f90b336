"""Admin registrations of third-party models that the portal adjusts."""

from django.contrib import admin
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from core.admin_autocomplete import AutocompleteByNameMixin
from core.admin_deletion import NamesWhatLosesItAdminMixin

admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(AutocompleteByNameMixin, NamesWhatLosesItAdminMixin, TaggitTagAdmin):
    """taggit's tag admin, whose delete confirmation names the entries that lose the tag."""

    autocomplete_search_fields = ["name"]
