from django.contrib import admin
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_autocomplete import AutocompleteByNameMixin
from core.admin_deletion import NamesWhatLosesItAdminMixin
from meetings.admin_tools import MergeAction, ParticipantListTools
from meetings.models import Event, Meeting, Milestone, Participation, ProgrammeSession, SessionContribution
from meetings.services.merge import merge_organizations, merge_people
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

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(participant_count=Count("participations", distinct=True))
        return queryset.order_by(*Meeting._meta.ordering)

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
class MilestoneAdmin(admin.ModelAdmin):
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
    list_filter = ["status", "tracked"]
    list_select_related = ["responsible_organization", "meeting"]
    search_fields = ["title", "description"]
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
