from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_autocomplete import AutocompleteByNameMixin
from core.roles import is_organizer
from depository.admin_extraction import ExtractionProblemFilter, extract_again
from members.forms import DecisionForm, InviteForm
from members.models import Answer, InputPaper, Invitation, Member, PaperEvent, PaperVersion, Question
from members.services.invitations import invite_many, renew_invitation
from members.services.papers import PaperRefused, may_take, transition_paper
from members.workflow import ACTIONS, Role, actions_for


@admin.register(Member)
class MemberAdmin(AutocompleteByNameMixin, admin.ModelAdmin):
    list_display = ["__str__", "user", "organization", "joined_at"]
    list_select_related = ["user", "person", "organization"]
    search_fields = ["person__name", "user__username", "user__email", "organization__name"]
    # A member is shown by their person's name (or user name): not found by their organization's.
    autocomplete_search_fields = ["person__name", "user__username"]
    autocomplete_fields = ["user", "person", "organization"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are sent from the 'add' page, which takes one address or a pasted list."""

    list_display = ["email", "name", "organization", "invited_by", "created_at", "expires_at", "state"]
    list_select_related = ["organization", "invited_by", "member__person", "member__user"]
    list_filter = ["created_at", "expires_at", "accepted_at"]
    search_fields = ["email", "name", "organization__name"]
    readonly_fields = ["email", "invited_by", "created_at", "expires_at", "accepted_at", "member"]
    fields = [
        "email",
        "name",
        "person",
        "organization",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "member",
    ]
    autocomplete_fields = ["person", "organization"]
    actions = ["send_new_links"]

    @admin.action(description=_("Send a new link (the old one stops working)"))
    def send_new_links(self, request, queryset):
        sent = 0
        for invitation in queryset.filter(accepted_at__isnull=True):
            renew_invitation(invitation=invitation, invited_by=request.user)
            sent += 1
        self.message_user(
            request,
            ngettext("%(count)d new link sent.", "%(count)d new links sent.", sent) % {"count": sent},
            messages.SUCCESS,
        )

    @admin.display(description=_("state"))
    def state(self, invitation):
        if invitation.is_used:
            return _("accepted")
        if invitation.is_expired:
            return _("expired")
        return _("pending")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            invitations = invite_many(
                invitees=form.cleaned_data["invitees"],
                organization=form.cleaned_data["organization"],
                invited_by=request.user,
            )
            self.message_user(
                request,
                ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", len(invitations))
                % {"count": len(invitations)},
                messages.SUCCESS,
            )
            return redirect("admin:members_invitation_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Invite members"),
            "form": form,
        }
        return TemplateResponse(request, "admin/members/invitation/invite.html", context)


class PaperVersionInline(admin.TabularInline):
    model = PaperVersion
    extra = 0
    can_delete = False
    fields = [
        "number",
        "download",
        "size",
        "page_count",
        "extraction_status",
        "extraction_error",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, version):
        return format_html('<a href="{}">{}</a>', version.get_absolute_url(), version.original_name)


@admin.register(PaperVersion)
class PaperVersionAdmin(admin.ModelAdmin):
    """Every uploaded paper version in one list, to find those whose text extraction failed or is
    stuck (depository.admin_extraction). Versions are added by members' uploads, never here."""

    list_display = ["__str__", "original_name", "size", "page_count", "extraction_status", "uploaded_at"]
    list_filter = [ExtractionProblemFilter, "extraction_status", "kind"]
    list_select_related = ["paper"]
    search_fields = ["paper__title", "original_name", "extraction_error"]
    fields = [
        "paper", "number", "download", "kind", "size", "page_count", "extraction_status", "extraction_error",
        "uploaded_by", "uploaded_at",
    ]  # fmt: skip
    readonly_fields = fields
    show_facets = admin.ShowFacets.ALWAYS
    actions = [extract_again]

    download = PaperVersionInline.download

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaperEventInline(admin.TabularInline):
    model = PaperEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "from_status", "to_status", "comment"]
    readonly_fields = fields
    verbose_name_plural = _("history")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InputPaper)
class InputPaperAdmin(admin.ModelAdmin):
    """The organizers' review queue: filter by status, open a paper, decide with a comment."""

    list_display = ["title", "status", "submitted_by", "organization", "version_count", "updated_at"]
    list_filter = ["status", "language", "city_types", "violence_types", "themes"]
    list_select_related = ["organization", "submitted_by__person", "submitted_by__user"]
    search_fields = ["title", "abstract", "authors__name", "organization__name"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "entry"]
    autocomplete_fields = [
        "authors",
        "organization",
        "submitted_by",
        "proposed_at",
        "city_types",
        "violence_types",
        "themes",
        "cities",
    ]
    inlines = [PaperVersionInline, PaperEventInline]
    actions = ["start_review"]
    show_facets = admin.ShowFacets.ALWAYS
    change_form_template = "admin/members/inputpaper/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(version_count=Count("versions"))

    def get_deleted_objects(self, objs, request):
        """A paper's versions (and their private files) leave with it, although PaperVersionAdmin
        deletes none on its own: they need no delete permission of their own here."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(PaperVersion._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    @admin.display(description=_("versions"), ordering="version_count")
    def version_count(self, paper):
        return paper.version_count

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="members_inputpaper_decide",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Start review of the selected submitted papers"))
    def start_review(self, request, queryset):
        started = 0
        for paper in queryset:
            try:
                transition_paper(paper=paper, action="start_review", user=request.user)
            except PaperRefused as refused:
                self.message_user(request, f"{paper}: {refused.message}", messages.WARNING)
            else:
                started += 1
        self.message_user(
            request,
            ngettext("%(count)d paper is now under review.", "%(count)d papers are now under review.", started)
            % {"count": started},
            messages.SUCCESS,
        )

    def decide_view(self, request, pk):
        """Take a decision (review, request changes, accept, reject, publish) with a comment for the authors."""
        paper = get_object_or_404(InputPaper.objects.select_related("entry").prefetch_related("authors"), pk=pk)
        if not is_organizer(request.user):
            raise PermissionDenied
        actions = [
            action for action in actions_for(Role.ORGANIZER, paper.status) if may_take(request.user, paper, action)
        ]
        form = DecisionForm(request.POST or None, actions=actions)
        if request.method == "POST" and form.is_valid():
            action = ACTIONS[form.cleaned_data["action"]]
            try:
                transition_paper(paper=paper, action=action, user=request.user, comment=form.cleaned_data["comment"])
            except PaperRefused as refused:
                self.message_user(request, refused.message, messages.ERROR)
            else:
                self.message_user(request, _("Done: %(action)s.") % {"action": action.label}, messages.SUCCESS)
                return redirect(reverse("admin:members_inputpaper_change", args=[paper.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": paper,
            "title": _("Decide on “%(title)s”") % {"title": paper.title},
            "form": form,
            "actions_available": bool(actions),
            "versions": paper.versions.select_related("uploaded_by").order_by("-number"),
            "events": paper.events.select_related("actor").order_by("created_at", "id"),
        }
        return TemplateResponse(request, "admin/members/inputpaper/decide.html", context)


class AnswerInline(admin.StackedInline):
    """All answers to a question, side by side, for writing the synthesis."""

    model = Answer
    extra = 0
    fields = ["member", "text", "is_public", "updated_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member__person", "member__user")


@admin.register(Question)
class QuestionAdmin(AutocompleteByNameMixin, admin.ModelAdmin):
    list_display = ["__str__", "deadline", "meeting", "is_public", "answer_count", "position"]
    list_editable = ["is_public", "position"]
    list_filter = ["is_public", "meeting"]
    list_select_related = ["meeting"]
    search_fields = ["text", "synthesis"]
    autocomplete_search_fields = ["text"]
    autocomplete_fields = ["meeting"]
    fields = ["text", "deadline", "meeting", "is_public", "position", "synthesis"]
    inlines = [AnswerInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(answer_count=Count("answers"))

    @admin.display(description=_("answers"), ordering="answer_count")
    def answer_count(self, question):
        return question.answer_count


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    """Answers filtered by question read side by side; members write them on the site."""

    list_display = ["question", "member", "text", "is_public", "updated_at"]
    list_filter = ["question", "is_public"]
    list_select_related = ["question", "member__person", "member__user"]
    search_fields = ["text", "member__person__name", "question__text"]
    autocomplete_fields = ["question", "member"]
