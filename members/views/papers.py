from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from depository.documents import safe_display_name
from members.forms import PaperForm, TransitionForm, UploadForm
from members.models import InputPaper, PaperVersion
from members.services.papers import PaperRefused, add_version, create_paper, transition_paper, update_paper
from members.views.common import get_paper_for_user, member_required
from members.workflow import ACTIONS, Role, actions_for

PAPER_PAGE = InputPaper.objects.select_related("submitted_by__person", "organization", "entry").prefetch_related(
    "authors", "city_types", "violence_types", "themes", "cities", "tags"
)


def get_authored_paper(request, pk):
    """The paper for one of its authors; 404 for anyone who cannot see it, 403 for organizers who are not authors."""
    paper = get_paper_for_user(request.user, pk, PAPER_PAGE)
    if not paper.is_author(request.user):
        raise Http404(_("Only the paper's authors can change it."))
    return paper


@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def paper_create(request):
    form = PaperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        paper = create_paper(form=form, member=request.member)
        messages.success(request, _("Your paper is saved as a draft. Upload its file, then submit it for review."))
        return redirect(paper)
    return render(request, "members/paper_form.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def paper_edit(request, pk):
    paper = get_authored_paper(request, pk)
    if not paper.is_editable:
        messages.error(request, _("The paper can be changed only while it is a draft or changes are requested."))
        return redirect(paper)
    form = PaperForm(request.POST or None, instance=paper)
    if request.method == "POST" and form.is_valid():
        update_paper(form=form, user=request.user)
        messages.success(request, _("The paper is saved."))
        return redirect(paper)
    return render(request, "members/paper_form.html", {"form": form, "paper": paper})


def render_paper_page(request, paper, *, upload_form=None, status=200):
    is_author = paper.is_author(request.user)
    if upload_form is None and is_author and paper.is_editable:
        upload_form = UploadForm()
    context = {
        "paper": paper,
        "is_author": is_author,
        "versions": paper.versions.select_related("uploaded_by__member__person").order_by("-number"),
        "events": paper.events.select_related("actor__member__person").order_by("created_at", "id"),
        "author_actions": actions_for(Role.AUTHOR, paper.status) if is_author else [],
        "upload_form": upload_form,
        "transition_form": TransitionForm(),
    }
    return render(request, "members/paper_detail.html", context, status=status)


@require_safe
@never_cache
@login_required
def paper_detail(request, pk):
    """The paper with its files, history and the organizers' comments, for its authors and the organizers."""
    return render_paper_page(request, get_paper_for_user(request.user, pk, PAPER_PAGE))


@require_POST
@member_required
def paper_upload(request, pk):
    paper = get_authored_paper(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = add_version(
                paper=paper, uploaded_file=form.cleaned_data["file"], info=form.info, user=request.user
            )
        except PaperRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("Version %(number)s is uploaded.") % {"number": version.number})
            return redirect(paper)
    return render_paper_page(request, paper, upload_form=form, status=400)


@require_POST
@member_required
def paper_transition(request, pk, action):
    """The authors' steps (submit, withdraw); organizers decide in the admin."""
    action = ACTIONS.get(action)
    if action is None or action.role != Role.AUTHOR:
        raise Http404
    paper = get_authored_paper(request, pk)
    form = TransitionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        transition_paper(paper=paper, action=action, user=request.user, comment=comment)
    except PaperRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": action.label})
    return redirect(paper)


@require_safe
@never_cache
def paper_file(request, pk, number):
    """A version's file, for the paper's authors and the organizers only; 404 for anyone else."""
    if not request.user.is_authenticated:
        raise Http404
    paper = get_paper_for_user(request.user, pk)
    version = get_object_or_404(PaperVersion.objects.filter(paper=paper), number=number)
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_display_name(version.original_name),
        content_type=version.content_type,
    )
    return response
