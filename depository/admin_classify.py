"""Classifying entries in the admin (issue 21): the list's action "Classify the selected entries" (one
intermediate form: themes, city types and violence types added or set, kind, evidence level and
language set, on every selected entry at once), and the terms suggested on an entry's change page."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from depository import services
from depository.models import CityType, Entry, EntryKind, EvidenceLevel, Language, Theme, ViolenceType
from depository.services import TermsMode
from depository.suggestions import suggested_terms

# The selected entries the form lists by title (all of them stay selected, as hidden fields).
LISTED_TITLES = 20
# The evidence level choice that clears it.
NO_EVIDENCE_LEVEL = "none"


class ClassifyForm(forms.Form):
    """What to do to every selected entry; a field left alone changes nothing."""

    MODES = [("", _("Leave as they are")), (TermsMode.ADD, _("Add these")), (TermsMode.SET, _("Replace with these"))]

    themes_mode = forms.ChoiceField(
        widget=forms.RadioSelect, initial="", label=_("Themes"), choices=MODES, required=False
    )
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.select_related("parent"),
        required=False,
        label=_("themes"),
        widget=FilteredSelectMultiple(_("themes"), is_stacked=False),
    )
    city_types_mode = forms.ChoiceField(
        widget=forms.RadioSelect, initial="", label=_("City types"), choices=MODES, required=False
    )
    city_types = forms.ModelMultipleChoiceField(
        queryset=CityType.objects.all(),
        required=False,
        label=_("city types"),
        widget=FilteredSelectMultiple(_("city types"), is_stacked=False),
    )
    violence_types_mode = forms.ChoiceField(
        widget=forms.RadioSelect, initial="", label=_("Violence types"), choices=MODES, required=False
    )
    violence_types = forms.ModelMultipleChoiceField(
        queryset=ViolenceType.objects.all(),
        required=False,
        label=_("violence types"),
        widget=FilteredSelectMultiple(_("violence types"), is_stacked=False),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Leave as it is")), *EntryKind.choices], required=False)
    evidence_level = forms.ChoiceField(
        label=_("Strength of the evidence"),
        choices=[
            ("", _("Leave as it is")),
            *EvidenceLevel.choices,
            (NO_EVIDENCE_LEVEL, _("Not assessed (clears it)")),
        ],
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("Leave as it is")), *Language.choices], required=False
    )

    def clean(self):
        data = super().clean()
        for relation in services.CLASSIFIED_RELATIONS:
            if data.get(relation) and not data.get(f"{relation}_mode"):
                self.add_error(f"{relation}_mode", _("Choose whether to add these terms or to replace with them."))
            if data.get(f"{relation}_mode") == TermsMode.ADD and not data.get(relation):
                self.add_error(relation, _("Choose the terms to add."))
        if not self.errors and not self.changes():
            raise ValidationError(_("Nothing to change: choose terms, a kind, an evidence level or a language."))
        return data

    def changes(self):
        """The keyword arguments of services.classify_entries (call after is_valid())."""
        data = self.cleaned_data
        level = data.get("evidence_level")
        changes = {
            "terms": {
                relation: (data[f"{relation}_mode"], list(data.get(relation) or []))
                for relation in services.CLASSIFIED_RELATIONS
                if data.get(f"{relation}_mode")
            },
            "kind": data.get("kind") or "",
            "evidence_level": "" if level == NO_EVIDENCE_LEVEL else (level or None),
            "language": data.get("language") or "",
        }
        if not (changes["terms"] or changes["kind"] or changes["evidence_level"] is not None or changes["language"]):
            return {}
        return changes


class AcceptSuggestionsForm(forms.Form):
    """The suggested terms an organizer ticked on the entry's change page."""

    themes = forms.ModelMultipleChoiceField(queryset=Theme.objects.all(), required=False)
    city_types = forms.ModelMultipleChoiceField(queryset=CityType.objects.all(), required=False)
    violence_types = forms.ModelMultipleChoiceField(queryset=ViolenceType.objects.all(), required=False)

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in services.CLASSIFIED_RELATIONS):
            raise ValidationError(_("Tick the suggested terms to add."))
        return data


class EntryClassifyAdminMixin:
    """For EntryAdmin: the action `classify`, the suggested terms on the change page and the view that
    accepts them."""

    change_form_template = "admin/depository/entry/change_form.html"

    @admin.action(description=_("Classify the selected entries"), permissions=["change"])
    def classify(self, request, queryset):
        form = ClassifyForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                count = services.classify_entries(entries=queryset, **form.changes())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    ngettext("%d entry classified.", "%d entries classified.", count) % count,
                    messages.SUCCESS,
                )
                return None
        # The selection is kept as the list's own form keeps it: the ticked ids (at most a page of the
        # list), or "all N entries" of the list's filters (the query string, kept by posting to the same
        # URL) with a page's ids, as the list sends them. Never one field per entry of a large selection:
        # Django refuses a POST of more than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields.
        select_across = request.POST.get("select_across") == "1"
        selected = queryset.order_by("title", "pk").select_related(None).only("pk", "title")
        listed = list(selected[:LISTED_TITLES])
        count = queryset.count()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Classify entries"),
            "opts": self.model._meta,
            "form": form,
            "media": self.media + form.media,
            "count": count,
            "listed": listed,
            "unlisted": max(0, count - len(listed)),
            "select_across": select_across,
            "selected_ids": [entry.pk for entry in listed]
            if select_across
            else request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/depository/entry/classify.html", context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/suggestions/accept/",
                self.admin_site.admin_view(self.accept_suggestions_view),
                name="depository_entry_accept_suggestions",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        entry_id = unquote(object_id)
        if request.method == "GET" and entry_id.isdigit() and self.has_change_permission(request):
            extra_context["suggestions"] = suggested_terms(int(entry_id))
        return super().change_view(request, object_id, form_url, extra_context)

    def accept_suggestions_view(self, request, object_id):
        """POST: add the ticked suggested terms to the entry (organizers who may change it)."""
        return require_POST(self._accept_suggestions)(request, object_id)

    def _accept_suggestions(self, request, object_id):
        entry_id = unquote(object_id)
        if not entry_id.isdigit():
            raise Http404
        entry = get_object_or_404(Entry.objects.only("pk", "title"), pk=int(entry_id))
        if not self.has_change_permission(request, entry):
            raise PermissionDenied
        change_url = reverse("admin:depository_entry_change", args=[entry.pk])
        form = AcceptSuggestionsForm(request.POST)
        if not form.is_valid():
            for error in form.errors.values():
                self.message_user(request, " ".join(error), messages.ERROR)
            return HttpResponseRedirect(change_url)
        chosen = {name: form.cleaned_data[name] for name in services.CLASSIFIED_RELATIONS}
        services.classify_entries(
            entries=Entry.objects.filter(pk=entry.pk),
            terms={name: (TermsMode.ADD, terms) for name, terms in chosen.items() if terms},
        )
        added = ", ".join(str(term) for terms in chosen.values() for term in terms)
        self.message_user(request, _("Added to this entry: %(terms)s.") % {"terms": added}, messages.SUCCESS)
        return HttpResponseRedirect(change_url)
