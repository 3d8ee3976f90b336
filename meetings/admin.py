import io

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin_autocomplete import AutocompleteByNameMixin
from core.admin_deletion import NamesWhatLosesItAdminMixin
from meetings.admin_tools import MergeAction, ParticipantListTools
from meetings.models import (
    Event,
    Meeting,
    MeetingStatus,
    Milestone,
    MilestoneChange,
    Participation,
    ProgrammeSession,
    ProgressReview,
    Registration,
    RegistrationStatus,
    SessionContribution,
    SupportStatus,
)
from meetings.services import registrations as registration_services
from meetings.services.merge import merge_organizations, merge_people
from meetings.services.reviews import apply_review
from people.models import Organization, Person


class ProgrammeSessionInline(admin.StackedInline):
    model = ProgrammeSession
    extra = 0
    fields = [("date", "start_time", "end_time"), "title", "kind", "description"]
    show_change_link = True


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    fields = ["position", "person", "title", "organization", "city", "role"]
    autocomplete_fields = ["person", "organization", "city"]


@admin.register(Meeting)
class MeetingAdmin(AutocompleteByNameMixin, ParticipantListTools, admin.ModelAdmin):
    # The form's order, written out: the fields Meeting inherits from DatedEvent would otherwise come first.
    fields = [
        "number",
        "name",
        "slug",
        "status",
        "start_date",
        "end_date",
        "timing_note",
        "timing_ends",
        "city",
        "venue",
        "part_of",
        "hosts",
        "objectives",
        "key_points",
        "report",
        "themes",
        "related_entries",
        "other_cities_represented",
        "registration_opens",
        "registration_closes",
    ]
    list_display = ["name", "status", "start_date", "end_date", "city", "participant_count"]
    list_filter = ["status", "themes"]
    list_select_related = ["city"]
    search_fields = ["name", "venue", "city__name", "objectives", "key_points"]
    autocomplete_search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["city", "hosts", "report", "themes", "related_entries", "other_cities_represented"]
    date_hierarchy = "start_date"
    show_facets = admin.ShowFacets.ALWAYS
    inlines = [ProgrammeSessionInline, ParticipationInline]
    actions = ["admit_registrations"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(participant_count=Count("participations", distinct=True))
        return queryset.order_by(*Meeting._meta.ordering)

    def save_related(self, request, form, formsets, change):
        # Once a meeting is held, its accepted registrations become participants (after the inline list is
        # saved, so that a person an organizer just added by hand is not added twice).
        super().save_related(request, form, formsets, change)
        if "status" in form.changed_data and form.instance.status == MeetingStatus.HELD:
            added = registration_services.admit_registrations(meeting=form.instance)
            if added:
                self.message_user(request, admitted_message(added), messages.SUCCESS)

    @admin.action(description=_("Add accepted registrations to the participants (held meetings)"))
    def admit_registrations(self, request, queryset):
        added = sum(registration_services.admit_registrations(meeting=meeting) for meeting in queryset)
        self.message_user(request, admitted_message(added), messages.SUCCESS)

    @admin.display(description=_("participants"), ordering="participant_count")
    def participant_count(self, obj):
        return obj.participant_count


class SessionContributionInline(admin.TabularInline):
    model = SessionContribution
    extra = 0
    fields = ["position", "person", "role", "title", "organization"]
    autocomplete_fields = ["person", "organization"]


@admin.register(ProgrammeSession)
class ProgrammeSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "date", "start_time", "end_time", "kind"]
    list_filter = ["kind", "meeting"]
    list_select_related = ["meeting"]
    search_fields = ["title", "description", "meeting__name"]
    autocomplete_fields = ["meeting"]
    show_facets = admin.ShowFacets.ALWAYS
    inlines = [SessionContributionInline]


class PersonParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    fields = ["meeting", "title", "organization", "role"]
    autocomplete_fields = ["meeting", "organization"]
    verbose_name_plural = _("meetings attended")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("meeting", "organization")


@admin.register(Person)
class PersonAdmin(AutocompleteByNameMixin, NamesWhatLosesItAdminMixin, MergeAction, admin.ModelAdmin):
    list_display = ["name", "other_spellings", "disclosure", "meeting_count"]
    list_filter = ["disclosure"]
    search_fields = ["name", "other_spellings", "participations__organization__name"]
    autocomplete_search_fields = ["name", "other_spellings"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_selected"]
    merge_service = staticmethod(merge_people)
    show_facets = admin.ShowFacets.ALWAYS
    inlines = [PersonParticipationInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(meeting_count=Count("participations", distinct=True))
        return queryset.order_by(*Person._meta.ordering)

    @admin.display(description=_("meetings"), ordering="meeting_count")
    def meeting_count(self, obj):
        return obj.meeting_count


@admin.register(Organization)
class OrganizationAdmin(AutocompleteByNameMixin, NamesWhatLosesItAdminMixin, MergeAction, admin.ModelAdmin):
    list_display = ["name", "acronym", "kind", "city", "country"]
    list_filter = ["kind", "country"]
    list_select_related = ["city"]
    search_fields = ["name", "acronym", "other_spellings", "country", "city__name"]
    autocomplete_search_fields = ["name", "acronym", "other_spellings"]
    actions = ["merge_selected"]
    merge_service = staticmethod(merge_organizations)
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["city"]
    show_facets = admin.ShowFacets.ALWAYS


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ["person", "meeting", "title", "organization", "role"]
    list_filter = ["role", "meeting"]
    list_select_related = ["person", "meeting", "organization"]
    search_fields = ["person__name", "title", "organization__name", "meeting__name"]
    autocomplete_fields = ["person", "meeting", "organization", "city"]
    show_facets = admin.ShowFacets.ALWAYS


@admin.register(Milestone)
class MilestoneAdmin(AutocompleteByNameMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "due_date",
        "due_note",
        "status",
        "tracked",
        "status_reviewed_on",
        "responsible_organization",
        "meeting",
    ]
    list_filter = ["status", "tracked", "evidence_step"]
    list_select_related = ["responsible_organization", "meeting"]
    search_fields = ["title", "description"]
    autocomplete_search_fields = ["title"]  # a progress review's rows pick milestones by title
    # Its history is read here, written by progress reviews (a field, not an inline: a form without the
    # history's rows stays valid).
    readonly_fields = ["history"]

    @admin.display(description=_("history (from progress reviews)"))
    def history(self, milestone):
        changes = milestone.changes.select_related("review") if milestone.pk else []
        rows = [
            (
                change.review,
                change.get_status_display() or "-",
                change.due_date or "-",
                change.started_on or "-",
                change.completed_on or "-",
                change.note,
            )
            for change in changes
        ]
        if not rows:
            return _("No progress review has changed it yet.")
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{}: {}; "
                + gettext("due")
                + " {}; "
                + gettext("started")
                + " {}; "
                + gettext("completed")
                + " {}. {}</li>",
                rows,
            ),
        )

    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["responsible_organization", "meeting"]
    show_facets = admin.ShowFacets.ALWAYS

    def save_model(self, request, obj, form, change):
        # A status an organizer sets is a review by that organizer, today (unless they typed the review).
        reviewed_typed = {"status_reviewed_on", "status_reviewed_by"} & set(form.changed_data)
        if "status" in form.changed_data and not reviewed_typed:
            obj.status_reviewed_on = timezone.localdate()
            obj.status_reviewed_by = request.user.get_full_name() or request.user.get_username()
        super().save_model(request, obj, form, change)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    # The form's order, written out: the fields Event inherits from DatedEvent would otherwise come first.
    fields = [
        "name",
        "slug",
        "kind",
        "status",
        "start_date",
        "end_date",
        "timing_note",
        "timing_ends",
        "city",
        "venue",
        "online",
        "organizers",
        "organizer_note",
        "audience",
        "description",
        "source",
        "interested",
        "registration_opens",
        "registration_closes",
    ]
    list_display = ["name", "kind", "status", "start_date", "timing_note", "city", "interest_count"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["city", "organizers"]
    filter_horizontal = ["interested"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("city").annotate(interest_count=Count("interested"))

    @admin.display(description=_("members interested"), ordering="interest_count")
    def interest_count(self, event):
        return event.interest_count


def admitted_message(added):
    return ngettext(
        "%(count)d accepted registration added to the participants.",
        "%(count)d accepted registrations added to the participants.",
        added,
    ) % {"count": added}


class MilestoneChangeInline(admin.TabularInline):
    model = MilestoneChange
    extra = 1
    fields = ["milestone", "status", "start_date", "due_date", "started_on", "completed_on", "note"]
    autocomplete_fields = ["milestone"]


@admin.register(ProgressReview)
class ProgressReviewAdmin(admin.ModelAdmin):
    """A review of progress: the day, who took part, and per milestone what changed. Saving it applies the
    changes to the milestones (meetings.services.reviews.apply_review)."""

    list_display = ["__str__", "held_on", "change_count"]
    date_hierarchy = "held_on"
    search_fields = ["summary", "changes__milestone__title", "participants__name"]
    autocomplete_fields = ["participants"]
    inlines = [MilestoneChangeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(change_count=Count("changes"))

    @admin.display(description=_("milestones changed"), ordering="change_count")
    def change_count(self, review):
        return review.change_count

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        applied = apply_review(review=form.instance)
        self.message_user(
            request,
            ngettext(
                "%(count)d milestone updated from this review.",
                "%(count)d milestones updated from this review.",
                len(applied),
            )
            % {"count": len(applied)},
            messages.SUCCESS,
        )


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Members' registrations: accept or decline them, decide on travel support (approve with an amount and
    a currency, or decline, with a note), export the list. Needs and support data are private to organizers
    and the member (docs/network-meetings.md)."""

    list_display = [
        "__str__",
        "meeting",
        "event",
        "status",
        "support_status",
        "support_amount",
        "support_currency",
        "created_at",
    ]
    list_filter = ["status", "support_status", "meeting", "event"]
    list_select_related = ["person", "user", "meeting", "event"]
    search_fields = ["person__name", "user__username", "user__email", "meeting__name", "event__name"]
    readonly_fields = [
        "user",
        "person",
        "organization",
        "meeting",
        "event",
        "needs",
        "support_justification",
        "support_decided_on",
        "private_data_blanked_on",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["user", "person", "organization", "meeting", "event", "created_at", "status", "needs"]}),
        (
            _("Travel support"),
            {
                "fields": [
                    "support_status",
                    "support_justification",
                    "support_amount",
                    "support_currency",
                    "support_note",
                    "support_decided_on",
                    "private_data_blanked_on",
                ]
            },
        ),
    ]
    actions = ["accept", "decline", "decline_support", "export_csv"]
    show_facets = admin.ShowFacets.ALWAYS

    def has_add_permission(self, request):
        return False  # members register from the meeting's or the event's page

    def save_model(self, request, obj, form, change):
        if "support_status" in form.changed_data:
            obj.support_decided_on = timezone.localdate()
        super().save_model(request, obj, form, change)
        if obj.status == RegistrationStatus.ACCEPTED and obj.meeting_id:
            self.admit(request, [obj.meeting])

    def admit(self, request, meetings):
        """Accepted after the meeting was held: the person joins its participants now."""
        added = sum(registration_services.admit_registrations(meeting=meeting) for meeting in meetings)
        if added:
            self.message_user(request, admitted_message(added), messages.SUCCESS)

    @admin.action(description=_("Accept the selected registrations"), permissions=["change"])
    def accept(self, request, queryset):
        count = queryset.update(status=RegistrationStatus.ACCEPTED)
        self.message_user(request, ngettext("%d registration accepted.", "%d registrations accepted.", count) % count)
        self.admit(request, Meeting.objects.filter(registrations__in=queryset).distinct())

    @admin.action(description=_("Decline the selected registrations"), permissions=["change"])
    def decline(self, request, queryset):
        count = queryset.update(status=RegistrationStatus.DECLINED)
        self.message_user(request, ngettext("%d registration declined.", "%d registrations declined.", count) % count)

    @admin.action(description=_("Decline the selected requests for travel support"), permissions=["change"])
    def decline_support(self, request, queryset):
        count = 0
        for registration in queryset.filter(support_status=SupportStatus.REQUESTED):
            registration_services.decide_support(registration=registration, approve=False)
            count += 1
        self.message_user(
            request, ngettext("%d request for support declined.", "%d requests for support declined.", count) % count
        )

    @admin.action(description=_("Export the selected registrations as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        handle = io.StringIO()
        registration_services.export_csv(queryset.for_export(), handle)
        response = HttpResponse(handle.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="registrations.csv"'
        return response
