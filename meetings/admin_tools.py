"""Curation tools in the admin: import a participant list, export it, merge duplicate people or organizations."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.forms import ParticipantImportForm
from meetings.services.export import participants_csv
from meetings.services.merge import reference_counts
from meetings.services.participant_import import import_participants, plan_participant_import

IMPORT_PERMISSIONS = ["meetings.add_participation", "meetings.change_participation", "people.add_person"]
IMPORT_PERMISSIONS += ["people.add_organization", "places.add_city"]
EXPORT_PERMISSIONS = ["meetings.view_participation", "people.view_person"]


class ParticipantListTools:
    """Mixed into the meeting admin: /admin/meetings/meeting/<id>/import-participants/ and .../participants.csv."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/import-participants/",
                self.admin_site.admin_view(self.import_participants_view),
                name=f"{prefix}_import_participants",
            ),
            path(
                "<path:object_id>/participants.csv",
                self.admin_site.admin_view(self.export_participants_view),
                name=f"{prefix}_export_participants",
            ),
            *super().get_urls(),
        ]

    def meeting_for(self, request, object_id, permissions):
        meeting = self.get_object(request, unquote(object_id))
        if meeting is None:
            raise Http404(_("No such meeting."))
        if not (self.has_view_or_change_permission(request, meeting) and request.user.has_perms(permissions)):
            raise PermissionDenied
        return meeting

    def import_participants_view(self, request, object_id):
        meeting = self.meeting_for(request, object_id, IMPORT_PERMISSIONS)
        if not self.has_change_permission(request, meeting):
            raise PermissionDenied
        plan, text, status = None, "", 200
        form = ParticipantImportForm()
        if request.method == "POST":
            form = ParticipantImportForm(request.POST, request.FILES)
            if not form.is_valid():
                status = 400
            else:
                text = form.cleaned_data["csv_text"]
                if "confirm" in request.POST:
                    try:
                        result = import_participants(meeting=meeting, text=text)
                    except ValidationError as error:
                        for message in error.messages:
                            messages.error(request, message)
                    else:
                        messages.success(
                            request,
                            _(
                                "Imported: %(created)d participations added, %(updated)d updated; %(people)d new "
                                "people, %(organizations)d new organizations, %(cities)d new cities."
                            )
                            % {
                                "created": result.participations_created,
                                "updated": result.participations_updated,
                                "people": result.people_created,
                                "organizations": result.organizations_created,
                                "cities": result.cities_created,
                            },
                        )
                        return redirect(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
                plan = plan_participant_import(meeting=meeting, text=text)
                if not plan.can_commit:
                    status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": meeting,
            "meeting": meeting,
            "title": _("Import participants into %(meeting)s") % {"meeting": meeting},
            "form": form,
            "plan": plan,
            "text": text,
        }
        return TemplateResponse(request, "admin/meetings/meeting/import_participants.html", context, status=status)

    def export_participants_view(self, request, object_id):
        meeting = self.meeting_for(request, object_id, EXPORT_PERMISSIONS)
        response = HttpResponse(participants_csv(meeting), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{meeting.slug}-participants.csv"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class MergeAction:
    """Mixed into the person and organization admins: an action merging two selected records."""

    merge_service = None  # staticmethod(a service function taking keep= and remove=)

    @admin.action(description=gettext_lazy("Merge the two selected records"), permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        records = list(queryset.order_by("pk")[:3])
        if len(records) != 2:
            self.message_user(request, _("Select exactly two records to merge."), messages.ERROR)
            return None
        if request.POST.get("post") == "yes":
            keep = next((record for record in records if str(record.pk) == request.POST.get("keep")), None)
            if keep is None:
                self.message_user(request, _("Choose the record to keep."), messages.ERROR)
            else:
                remove = records[1] if keep is records[0] else records[0]
                try:
                    report = self.merge_service(keep=keep, remove=remove)
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                    return None
                moved = ", ".join(f"{number} {name}" for name, number in report.moved.items()) or _("nothing")
                self.message_user(
                    request,
                    _("Merged “%(removed)s” into “%(kept)s”: moved %(moved)s; %(combined)d duplicate rows combined.")
                    % {"removed": remove, "kept": keep, "moved": moved, "combined": sum(report.combined.values())},
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Merge two records"),
            "records": [{"record": record, "counts": reference_counts(record)} for record in records],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "merge_selected",
        }
        return TemplateResponse(request, "admin/meetings/merge_confirmation.html", context)
