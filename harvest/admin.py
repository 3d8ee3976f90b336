"""Harvesting in the admin (docs/harvesting.md): organizers register sources, run a harvest, read each
source's log of runs, and accept or reject the candidates a run lists."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from harvest.fetch import Fetcher
from harvest.models import CandidateStatus, HarvestCandidate, HarvestRun, LinkCheck, Provenance, Source, SourceKind
from harvest.services import accept_candidates, reject_candidates, start_run
from harvest.sources import HarvestError, offered_formats


class SourceForm(forms.ModelForm):
    """The API key is a secret: the field is always empty (the stored key shows as its last four
    characters), blank keeps the key, and "forget the key" removes it."""

    zotero_api_key = forms.CharField(
        label=_("Zotero API key"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Only for a private library. Leave blank to keep the stored key."),
    )
    forget_api_key = forms.BooleanField(label=_("Forget the stored API key"), required=False)

    class Meta:
        model = Source
        fields = [
            "kind",
            "name",
            "enabled",
            "fetch_full_text",
            "oai_base_url",
            "oai_set",
            "oai_metadata_prefix",
            "zotero_library_type",
            "zotero_library_id",
            "zotero_collection_key",
            "zotero_api_key",
            "reliefweb_appname",
            "reliefweb_query",
        ]

    def _post_clean(self):
        stored = self.instance.zotero_api_key
        super()._post_clean()
        if not self.cleaned_data.get("zotero_api_key") and not self.cleaned_data.get("forget_api_key"):
            self.instance.zotero_api_key = stored  # blank keeps the stored key
        elif self.cleaned_data.get("forget_api_key"):
            self.instance.zotero_api_key = ""


@admin.action(description=_("Harvest the selected sources now"))
def harvest_now(modeladmin, request, queryset):
    runs = [start_run(source=source, user=request.user) for source in queryset]
    modeladmin.message_user(
        request,
        ngettext("%(count)d harvest queued.", "%(count)d harvests queued.", len(runs)) % {"count": len(runs)},
        messages.SUCCESS,
    )


CHECK_FORMATS_SECONDS = 8  # per source; select a few at a time


@admin.action(description=_("Check formats: list the metadata formats each repository offers"))
def check_formats(modeladmin, request, queryset):
    """Ask each selected OAI-PMH source's repository for its metadata formats (ListMetadataFormats, through
    the safe fetcher) and say, per source, which the portal reads and whether the chosen prefix is one."""
    for source in queryset:
        if source.kind != SourceKind.OAI:
            modeladmin.message_user(
                request, _("%(source)s is no OAI-PMH repository.") % {"source": source}, messages.WARNING
            )
            continue
        try:
            # In the organizer's request: a short limit, well under gunicorn's 30 s (KNOWN.md).
            offered = offered_formats(
                source, Fetcher(timeout=CHECK_FORMATS_SECONDS, total_seconds=CHECK_FORMATS_SECONDS)
            )
        except HarvestError as error:
            message = _("%(source)s: the formats could not be listed: %(error)s")
            modeladmin.message_user(request, message % {"source": source, "error": error}, messages.ERROR)
            continue
        listed = "; ".join(
            f"{f.prefix} ({f.label})" if f.reads else f"{f.prefix} ({_('not read by the portal')})" for f in offered
        )
        chosen = source.oai_metadata_prefix or "oai_dc"
        level = messages.SUCCESS if chosen in {f.prefix for f in offered} else messages.WARNING
        note = (
            _("This source harvests %(prefix)s.")
            if level == messages.SUCCESS
            else _("This source asks for %(prefix)s, which the repository does not offer: choose one it offers.")
        )
        modeladmin.message_user(
            request,
            _("%(source)s offers: %(formats)s.") % {"source": source, "formats": listed}
            + " "
            + note % {"prefix": chosen},
            level,
        )


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    list_display = [
        "name",
        "kind",
        "enabled",
        "fetch_full_text",
        "last_datestamp",
        "zotero_library_version",
        "runs_link",
    ]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "oai_base_url", "reliefweb_query"]
    actions = [harvest_now, check_formats]
    readonly_fields = ["api_key_stored", "last_datestamp", "zotero_library_version"]
    fieldsets = [
        (None, {"fields": ["kind", "name", "enabled", "fetch_full_text"]}),
        (_("OAI-PMH"), {"fields": ["oai_base_url", "oai_set", "oai_metadata_prefix"]}),
        (
            _("Zotero"),
            {
                "fields": [
                    "zotero_library_type",
                    "zotero_library_id",
                    "zotero_collection_key",
                    "api_key_stored",
                    "zotero_api_key",
                    "forget_api_key",
                ]
            },
        ),
        (_("ReliefWeb"), {"fields": ["reliefweb_appname", "reliefweb_query"]}),
        (_("Where the next run starts"), {"fields": ["last_datestamp", "zotero_library_version"]}),
    ]

    class Media:
        js = ["js/harvest_progress.js"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The source's page shows its latest run's progress (templates/admin/harvest/source/change_form.html;
        static/js/harvest_progress.js follows a running one; without JavaScript, the run's own page does)."""
        latest = None
        if str(object_id).isdigit():
            latest = HarvestRun.objects.filter(source_id=object_id).order_by("-created_at", "-id").first()
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "latest_run": latest})

    @admin.display(description=_("stored API key"))
    def api_key_stored(self, obj):
        return obj.masked_api_key or "—"

    @admin.display(description=_("runs"))
    def runs_link(self, obj):
        url = reverse("admin:harvest_harvestrun_changelist") + f"?source__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("log of runs"))


@admin.register(HarvestRun)
class HarvestRunAdmin(admin.ModelAdmin):
    """Read-only: the log of runs, written by the harvest. A run's page shows its progress and, while the
    run is queued or running, reloads itself every 5 seconds (templates/admin/harvest/harvestrun/
    change_form.html: a meta refresh, no JavaScript)."""

    list_display = [
        "source",
        "status",
        "progress",
        "started_at",
        "finished_at",
        "records",
        "new_count",
        "changed_count",
        "withdrawn_count",
        "duplicate_count",
        "error_count",
        "pending_link",
        "error",
    ]
    list_filter = ["status", "source"]
    list_select_related = ["source"]
    show_facets = admin.ShowFacets.ALWAYS
    fields = [
        "source",
        "status",
        "progress",
        "since",
        "started_at",
        "progress_at",
        "finished_at",
        "pages",
        "records",
        "new_count",
        "changed_count",
        "withdrawn_count",
        "duplicate_count",
        "error_count",
        "unchanged_count",
        "error",
        "requested_by",
    ]
    readonly_fields = ["progress"]

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return obj.progress_text

    def get_urls(self):
        progress = self.admin_site.admin_view(self.progress_view)
        return [
            path("<int:object_id>/progress/", progress, name="harvest_harvestrun_progress"),
            *super().get_urls(),
        ]

    def progress_view(self, request, object_id):
        """The run's progress as JSON (`{"text": "Listing: page 3, 250 records read.", "finished": false,
        "status": "running"}`), which static/js/harvest_progress.js reads on the source's page."""
        run = get_object_or_404(HarvestRun, pk=object_id)
        if not self.has_view_permission(request, run):
            return JsonResponse({"error": "forbidden"}, status=403)
        return JsonResponse(
            {"text": run.progress_text, "finished": run.finished, "status": run.status},
            headers={"Cache-Control": "no-store"},
        )

    def get_queryset(self, request):
        pending = Count("candidates", filter=Q(candidates__status=CandidateStatus.PENDING))
        return super().get_queryset(request).annotate(pending=pending)

    @admin.display(description=_("waiting for a decision"))
    def pending_link(self, obj):
        url = reverse("admin:harvest_harvestcandidate_changelist") + f"?run__id__exact={obj.pk}&status__exact=pending"
        return format_html('<a href="{}">{}</a>', url, obj.pending)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.action(description=_("Accept the selected candidates"))
def accept(modeladmin, request, queryset):
    count = accept_candidates(candidates=queryset, user=request.user)
    modeladmin.message_user(
        request,
        ngettext("%(count)d candidate accepted.", "%(count)d candidates accepted.", count) % {"count": count},
        messages.SUCCESS,
    )


@admin.action(description=_("Reject the selected candidates"))
def reject(modeladmin, request, queryset):
    count = reject_candidates(candidates=queryset, user=request.user)
    modeladmin.message_user(
        request,
        ngettext("%(count)d candidate rejected.", "%(count)d candidates rejected.", count) % {"count": count},
        messages.SUCCESS,
    )


@admin.register(HarvestCandidate)
class HarvestCandidateAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "source", "upstream_id", "datestamp", "entry_link", "reason"]
    list_filter = ["status", "kind", "source", "run"]
    list_select_related = ["source", "entry"]
    search_fields = ["title", "upstream_id"]
    actions = [accept, reject]
    show_facets = admin.ShowFacets.ALWAYS
    readonly_fields = ["changes", "link_shown"]
    exclude = ["diff", "link"]

    @admin.display(description=_("entry"))
    def entry_link(self, obj):
        if not obj.entry_id:
            return "—"
        url = reverse("admin:depository_entry_change", args=[obj.entry_id])
        return format_html('<a href="{}">{}</a>', url, obj.entry.title[:80])

    @admin.display(description=_("link"))
    def link_shown(self, obj):
        return format_html('<a href="{0}" rel="noopener noreferrer">{0}</a>', obj.link) if obj.link else "—"

    @admin.display(description=_("changes upstream (on the entry → upstream)"))
    def changes(self, obj):
        if not obj.diff:
            return "—"
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", obj.diff)
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("field"),
            _("on the entry"),
            _("upstream"),
            rows,
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Provenance)
class ProvenanceAdmin(admin.ModelAdmin):
    list_display = ["entry", "source", "upstream_id", "datestamp", "withdrawn_upstream", "harvested_at"]
    list_filter = ["source", "withdrawn_upstream"]
    list_select_related = ["entry", "source"]
    search_fields = ["upstream_id", "entry__title"]
    raw_id_fields = ["entry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BrokenLinkFilter(admin.SimpleListFilter):
    """ "Broken": the links the organizers' start page lists (LinkCheck.objects.broken())."""

    title = _("broken")
    parameter_name = "broken"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes"))]

    def queryset(self, request, queryset):
        return queryset.broken() if self.value() == "yes" else queryset


@admin.register(LinkCheck)
class LinkCheckAdmin(admin.ModelAdmin):
    """Read-only: what `manage.py check_links` found (docs/harvesting.md, "Link health")."""

    list_display = ["url", "entry_link", "status", "status_code", "error", "consecutive_failures", "checked_at"]
    list_filter = [BrokenLinkFilter, "status"]
    list_select_related = ["entry"]
    search_fields = ["url", "entry__title"]
    show_facets = admin.ShowFacets.ALWAYS

    @admin.display(description=_("entry"))
    def entry_link(self, obj):
        url = reverse("admin:depository_entry_change", args=[obj.entry_id])
        return format_html('<a href="{}">{}</a>', url, obj.entry.title[:80])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
