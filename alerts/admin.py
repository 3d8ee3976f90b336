from django.contrib import admin

from alerts.models import Digest, SavedSearch


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["email", "query_string", "frequency", "language", "user", "created_at"]
    list_filter = ["frequency", "language"]
    search_fields = ["email", "query_string"]
    raw_id_fields = ["user"]
    show_facets = admin.ShowFacets.ALWAYS


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """Read-only: the record of what was sent. An empty "sent at" with new entries means the worker
    stopped between preparing and sending; that digest is not retried (never sent twice)."""

    list_display = ["saved_search", "period_start", "period_end", "entry_count", "claimed_at", "sent_at"]
    list_filter = ["period_start", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["saved_search"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
