"""Organizers create sub-groups here and accept requests to join (the lead may also accept them on the
sub-group's page); profiles are members' own, shown here for the organizers' care."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_autocomplete import AutocompleteByNameMixin
from network import services
from network.models import MembershipStatus, Profile, SubGroup, SubGroupMembership, SubGroupUpdate


class MembershipInline(admin.TabularInline):
    model = SubGroupMembership
    extra = 0
    fields = ["member", "status", "delivery", "requested_at", "accepted_at"]
    readonly_fields = ["requested_at", "accepted_at"]
    autocomplete_fields = ["member"]


@admin.register(SubGroup)
class SubGroupAdmin(AutocompleteByNameMixin, admin.ModelAdmin):
    list_display = ["name", "lead", "member_count", "request_count", "created_at"]
    list_select_related = ["lead__person", "lead__user"]
    search_fields = ["name", "purpose"]
    autocomplete_search_fields = ["name"]  # a picker finds a sub-group by the name it shows
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["lead", "themes", "city_types", "violence_types"]
    filter_horizontal = ["milestones", "meetings"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                members=Count("memberships", filter=Q(memberships__status=MembershipStatus.ACCEPTED)),
                requests=Count("memberships", filter=Q(memberships__status=MembershipStatus.REQUESTED)),
            )
        )

    @admin.display(description=_("members"), ordering="members")
    def member_count(self, subgroup):
        return subgroup.members

    @admin.display(description=_("asking to join"), ordering="requests")
    def request_count(self, subgroup):
        return subgroup.requests

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        subgroup = form.instance
        # The lead is a member of their sub-group.
        if subgroup.lead_id:
            membership, _created = SubGroupMembership.objects.get_or_create(subgroup=subgroup, member=subgroup.lead)
            services.accept(membership=membership)
        for membership in subgroup.memberships.filter(status=MembershipStatus.ACCEPTED, accepted_at__isnull=True):
            services.accept(membership=membership)


@admin.register(SubGroupMembership)
class SubGroupMembershipAdmin(admin.ModelAdmin):
    list_display = ["member", "subgroup", "status", "delivery", "requested_at", "accepted_at"]
    list_select_related = ["member__person", "member__user", "subgroup"]
    list_filter = ["status", "delivery", "subgroup"]
    search_fields = ["member__person__name", "member__user__username", "subgroup__name"]
    autocomplete_fields = ["member", "subgroup"]
    readonly_fields = ["accepted_at", "digested_until"]
    actions = ["accept_requests"]

    @admin.action(description=_("Accept the selected requests to join"))
    def accept_requests(self, request, queryset):
        accepted = 0
        for membership in queryset.filter(status=MembershipStatus.REQUESTED):
            services.accept(membership=membership)
            accepted += 1
        self.message_user(
            request,
            ngettext("%(count)d request accepted.", "%(count)d requests accepted.", accepted) % {"count": accepted},
            messages.SUCCESS,
        )


@admin.register(SubGroupUpdate)
class SubGroupUpdateAdmin(admin.ModelAdmin):
    list_display = ["subgroup", "author", "posted_at"]
    list_select_related = ["subgroup", "author__person", "author__user"]
    list_filter = ["subgroup"]
    search_fields = ["text", "subgroup__name"]
    autocomplete_fields = ["subgroup", "author"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["member", "role", "is_hidden", "updated_at"]
    list_select_related = ["member__person", "member__user"]
    list_filter = ["is_hidden", "themes"]
    search_fields = ["member__person__name", "member__user__username", "role", "about"]
    autocomplete_fields = ["member", "cities", "themes", "city_types", "violence_types"]
