from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.managers import TaggableManager

from core.admin_autocomplete import AutocompleteByNameMixin
from core.admin_deletion import NamesWhatLosesItAdminMixin
from core.tags import BoundedTagField
from depository import services
from depository.admin_attachments import AttachmentAdminMixin, AttachmentInline
from depository.admin_classify import EntryClassifyAdminMixin
from depository.admin_record import FIELDSETS as RECORD_FIELDSETS
from depository.admin_record import EntryRecordForm
from depository.admin_references import ReferenceImportAdmin  # noqa: F401 (registers it)
from depository.admin_spreadsheets import EntryImportAdmin, EntrySpreadsheetAdminMixin
from depository.models import (
    CityType,
    Creator,
    Entry,
    EntryImport,
    EntryStatus,
    GlossaryTerm,
    InternalTag,
    Theme,
    ViolenceType,
)
from places.models import City


def translations_fieldset(model, description=None):
    """The optional translations of a model's translatable fields, folded, one language after another."""
    fields = [f"{name}_{language}" for language in model.TRANSLATION_LANGUAGES for name in model.TRANSLATED_FIELDS]
    return (
        _("Translations"),
        {
            "fields": fields,
            "classes": ["collapse"],
            "description": description
            or _("Optional. Pages in that language show the translation; where it is blank they show the original."),
        },
    )


class VocabularyAdmin(AutocompleteByNameMixin, NamesWhatLosesItAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "position", "entry_count"]
    list_editable = ["position"]
    search_fields = ["name", "description", *Theme.translation_field_names("name")]
    autocomplete_search_fields = ["name", *Theme.translation_field_names("name")]
    prepopulated_fields = {"slug": ["name"]}
    main_fields = ["name", "slug", "description", "position"]

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": self.main_fields}), translations_fieldset(self.model)]

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
    main_fields = ["name", "slug", "parent", "description", "position"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["parent"]


class CityForm(forms.ModelForm):
    """A city with its city types. The relation is declared on `CityType.cities` (places, the lower
    floor, knows nothing of the depository's vocabularies), so the form edits it from this side."""

    city_types = forms.ModelMultipleChoiceField(
        queryset=CityType.objects.all(),
        required=False,
        label=_("city types"),
        widget=FilteredSelectMultiple(_("city types"), is_stacked=False),
    )

    class Meta:
        model = City
        fields = [
            "name",
            "slug",
            "country",
            "latitude",
            "longitude",
            "coordinates_source",
            "in_cluster",
            "typology_example_group",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("city_types", list(self.instance.city_types.all()))

    def _save_m2m(self):
        super()._save_m2m()
        self.instance.city_types.set(self.cleaned_data["city_types"])


@admin.register(City)
class CityAdmin(AutocompleteByNameMixin, NamesWhatLosesItAdminMixin, admin.ModelAdmin):
    form = CityForm
    list_display = ["name", "country"]
    list_filter = ["city_types", "country"]
    search_fields = ["name", "country"]
    # A city is shown as "Bogotá, Colombia": both parts can be typed.
    autocomplete_search_fields = ["name", "country"]
    prepopulated_fields = {"slug": ["name"]}
    show_facets = admin.ShowFacets.ALWAYS


class AddThemeForm(forms.Form):
    theme = forms.ModelChoiceField(queryset=Theme.objects.all(), label=_("Theme to add"))


class CreatorInline(admin.TabularInline):
    """The entry's authors and editors, in order (lowest position first)."""

    model = Creator
    extra = 0
    fields = ["position", "role", "kind", "family", "given", "name", "orcid", "person"]
    autocomplete_fields = ["person"]
    verbose_name = _("creator (author or editor)")
    verbose_name_plural = _("creators (authors and editors, in order)")


@admin.register(Entry)
class EntryAdmin(
    EntryClassifyAdminMixin,
    AutocompleteByNameMixin,
    AttachmentAdminMixin,
    EntrySpreadsheetAdminMixin,
    admin.ModelAdmin,
):
    inlines = [CreatorInline, AttachmentInline]
    # A tag longer than taggit's column is a form error, not a 500 (issue 13, finding 8).
    formfield_overrides = {TaggableManager: {"form_class": BoundedTagField}}
    list_display = ["title", "kind", "status", "evidence_level", "year", "language", "published_at", "updated_at"]
    # `year` (and `date_issued`) is the document's own date; `published_at` is when it was added to the portal.
    list_filter = [
        "status",
        "kind",
        "evidence_level",
        "language",
        "city_types",
        "violence_types",
        "themes",
        ("cities", admin.RelatedOnlyFieldListFilter),
        "year",
    ]
    search_fields = [
        "title",
        *Entry.translation_field_names("title"),
        "summary",
        "creators__family",
        "creators__name",
        "doi",
        "publisher",
        "tags__name",
        "cities__name",
        "cities__country",
    ]
    autocomplete_search_fields = ["title", *Entry.translation_field_names("title")]
    actions = ["publish", "archive", "add_theme", "classify"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["cities", "city_types", "violence_types", "themes"]
    readonly_fields = ["published_at", "created_at", "updated_at", "curated_by"]
    date_hierarchy = "published_at"
    list_select_related = ["curated_by"]
    show_facets = admin.ShowFacets.ALWAYS
    form = EntryRecordForm
    # The bibliographic record as a cataloguer reads it (depository/admin_record.py), then the portal's own.
    fieldsets = [
        *RECORD_FIELDSETS,
        translations_fieldset(
            Entry,
            _(
                "Optional. Pages in that language show the translation; where it is blank they show the original. "
                "Leave the entry's own language blank: its title and summary above are the original."
            ),
        ),
        (_("Facets"), {"fields": ["city_types", "violence_types", "themes", "cities", "tags", "evidence_level"]}),
        (
            _("Practice card (tools, mechanisms, promising practices, case studies)"),
            {
                "fields": ["what_it_is", "who_implements", "costs_and_needs", "outcomes"],
                "description": _("Where it was used: the cities above. Fill in only what the sources state."),
                "classes": ["collapse"],
            },
        ),
        (
            _("Lesson from failure"),
            {"fields": ["what_was_tried", "what_went_wrong", "what_was_learned"], "classes": ["collapse"]},
        ),
        (_("Record"), {"fields": ["published_at", "created_at", "updated_at", "curated_by"]}),
    ]

    class Media:
        # Names the record's fields for the chosen type and folds away those that do not apply.
        js = ["js/entry_record_admin.js"]

    def save_model(self, request, obj, form, change):
        obj.curated_by = request.user
        if obj.status == EntryStatus.PUBLISHED and obj.published_at is None:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected entries"), permissions=["change"])
    def publish(self, request, queryset):
        count = services.publish_entries(entries=queryset)
        self.message_user(request, ngettext("%d entry published.", "%d entries published.", count) % count)

    @admin.action(description=_("Archive the selected entries"), permissions=["change"])
    def archive(self, request, queryset):
        count = services.archive_entries(entries=queryset)
        self.message_user(request, ngettext("%d entry archived.", "%d entries archived.", count) % count)

    @admin.action(description=_("Add a theme to the selected entries"), permissions=["change"])
    def add_theme(self, request, queryset):
        form = AddThemeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            theme = form.cleaned_data["theme"]
            count = services.add_theme(entries=queryset, theme=theme)
            self.message_user(
                request,
                ngettext(
                    "Theme “%(theme)s” added to %(count)d entry.",
                    "Theme “%(theme)s” added to %(count)d entries.",
                    count,
                )
                % {"theme": theme, "count": count},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add a theme"),
            "opts": self.model._meta,
            "form": form,
            "entries": queryset.order_by("title"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/depository/entry/add_theme.html", context)


@admin.register(InternalTag)
class InternalTagAdmin(admin.ModelAdmin):
    """Tags kept for the organizers' bookkeeping: out of the public facets, pages and search."""

    list_display = ["tag", "note"]
    list_select_related = ["tag"]
    autocomplete_fields = ["tag"]
    search_fields = ["tag__name", "note"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term", "has_definition", "position"]
    list_editable = ["position"]
    search_fields = ["term", "definition", "usage_notes", *GlossaryTerm.translation_field_names("term")]
    prepopulated_fields = {"slug": ["term"]}
    fieldsets = [
        (None, {"fields": ["term", "slug", "definition", "usage_notes", "position"]}),
        translations_fieldset(GlossaryTerm),
    ]

    @admin.display(description=_("defined"), boolean=True)
    def has_definition(self, obj):
        return bool(obj.definition)


admin.site.register(EntryImport, EntryImportAdmin)
