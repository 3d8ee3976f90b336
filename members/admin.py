from django.contrib import admin

from members.models import InputPaper, Member


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "organization", "joined_at"]
    list_select_related = ["user", "person", "organization"]
    search_fields = ["person__name", "user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user", "person", "organization"]


@admin.register(InputPaper)
class InputPaperAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "organization", "proposed_at", "updated_at"]
    list_filter = ["status", "language", "city_types", "violence_types", "themes"]
    list_select_related = ["organization", "proposed_at"]
    search_fields = ["title", "abstract", "authors__name", "organization__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = [
        "authors",
        "organization",
        "submitted_by",
        "proposed_at",
        "city_types",
        "violence_types",
        "themes",
        "cities",
        "entry",
    ]
    show_facets = admin.ShowFacets.ALWAYS
