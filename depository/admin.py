from django.contrib import admin
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from depository.admin_attachments import AttachmentAdminMixin, AttachmentInline
from depository.admin_spreadsheets import EntrySpreadsheetAdminMixin
from depository.models import City, CityType, Entry, EntryStatus, GlossaryTerm, Theme, ViolenceType


class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "entry_count"]
    list_editable = ["position"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        # Explicit order: Django ignores Meta.ordering on aggregated (GROUP BY) querysets.
        queryset = super().get_queryset(request)
        return queryset.annotate(entry_count=Count("entries", distinct=True)).order_by(*queryset.model._meta.ordering)

    @admin.display(description=_("entries"), ordering="entry_count")
    def entry_count(self, obj):
        return obj.entry_count


@admin.register(CityType)
class CityTypeAdmin(VocabularyAdmin):
    pass


@admin.register(ViolenceType)
class ViolenceTypeAdmin(VocabularyAdmin):
    pass


@admin.register(Theme)
class ThemeAdmin(VocabularyAdmin):
    list_display = ["name", "parent", "slug", "position", "entry_count"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["parent"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "country"]
    list_filter = ["city_types", "country"]
    search_fields = ["name", "country"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["city_types"]
    show_facets = admin.ShowFacets.ALWAYS


@admin.register(Entry)
class EntryAdmin(AttachmentAdminMixin, EntrySpreadsheetAdminMixin, admin.ModelAdmin):
    inlines = [AttachmentInline]
    list_display = ["title", "kind", "status", "year", "language", "published_at", "updated_at"]
    list_filter = ["status", "kind", "language", "city_types", "violence_types", "themes", "year"]
    search_fields = ["title", "summary", "authors", "publisher", "tags__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["cities", "city_types", "violence_types", "themes"]
    readonly_fields = ["published_at", "created_at", "updated_at", "curated_by"]
    date_hierarchy = "published_at"
    list_select_related = ["curated_by"]
    show_facets = admin.ShowFacets.ALWAYS
    fieldsets = [
        (None, {"fields": ["kind", "title", "slug", "status", "summary", "body", "annotation"]}),
        (_("Bibliographic details"), {"fields": ["authors", "publisher", "year", "language", "external_url"]}),
        (_("Facets"), {"fields": ["city_types", "violence_types", "themes", "cities", "tags"]}),
        (_("Record"), {"fields": ["published_at", "created_at", "updated_at", "curated_by"]}),
    ]

    def save_model(self, request, obj, form, change):
        obj.curated_by = request.user
        if obj.status == EntryStatus.PUBLISHED and obj.published_at is None:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term", "has_definition", "position"]
    list_editable = ["position"]
    search_fields = ["term", "definition", "usage_notes"]
    prepopulated_fields = {"slug": ["term"]}

    @admin.display(description=_("defined"), boolean=True)
    def has_definition(self, obj):
        return bool(obj.definition)
