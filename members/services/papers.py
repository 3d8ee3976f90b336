"""Writing input papers: create, upload a version (file and row together), move through the workflow."""

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.forms import ModelForm
from django.utils.translation import gettext as _

from core.roles import is_organizer
from depository.documents import delete_stored_files_on_error, safe_display_name
from depository.documents.inspection import DocumentInfo
from depository.tasks import enqueue_text_extraction
from members import emails
from members.models import InputPaper, Member, PaperEvent, PaperVersion
from members.services.common import unique_slug
from members.workflow import ACTIONS, Action, Role


class PaperRefused(Exception):
    """The step is not allowed; `message` is one translated sentence for the person who tried."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@transaction.atomic
def create_paper(*, form: ModelForm, member: Member) -> InputPaper:
    """Save a new paper from a valid PaperForm; the member who creates it is its submitter and first author."""
    paper = form.save(commit=False)
    paper.slug = unique_slug(InputPaper, paper.title)
    paper.submitted_by = member
    if paper.organization_id is None:
        paper.organization = member.organization
    paper.full_clean()
    paper.save()
    form.save_m2m()
    if member.person_id:
        paper.authors.add(member.person_id)
    return paper


@transaction.atomic
def update_paper(*, form: ModelForm, user: User) -> InputPaper:
    paper = form.instance
    if not paper.is_editable:
        raise PaperRefused(_("The paper can be changed only while it is a draft or changes are requested."))
    paper = form.save(commit=False)
    paper.full_clean()
    paper.save()
    form.save_m2m()
    return paper


def add_version(*, paper: InputPaper, uploaded_file: UploadedFile, info: DocumentInfo, user: User) -> PaperVersion:
    """Store a checked upload (`info` from inspect_upload) as the paper's next version.

    The file and its row are written together: if anything after the file is stored fails, the
    file is deleted again; if storing the file fails, no row is written.
    """
    with delete_stored_files_on_error() as stored, transaction.atomic():
        # Locked, so two uploads at once cannot take the same version number.
        paper = InputPaper.objects.select_for_update().get(pk=paper.pk)
        if not paper.is_editable:
            raise PaperRefused(
                _("A new file can be uploaded only while the paper is a draft or changes are requested.")
            )
        number = (paper.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = PaperVersion(
            paper=paper,
            number=number,
            original_name=safe_display_name(uploaded_file.name or "")[:255],
            kind=info.kind,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
            uploaded_by=user,
        )
        uploaded_file.seek(0)
        version.file.save(f"paper.{info.extension.lstrip('.')}", uploaded_file, save=False)
        stored.append(version.file)
        version.full_clean()
        version.save()
        paper.save(update_fields=["updated_at"])
        # The background worker extracts its text and counts its pages once this commits.
        enqueue_text_extraction(version)
    return version


def may_take(user: User, paper: InputPaper, action: Action) -> bool:
    """Authors take the author's steps; organizers decide, but never on a paper they co-author."""
    if action.role == Role.AUTHOR:
        return paper.is_author(user)
    return is_organizer(user) and not paper.is_author(user)


def check_action(*, paper: InputPaper, action: Action, user: User) -> None:
    if not action.allows(paper.status):
        raise PaperRefused(
            _("A paper that is “%(status)s” cannot take the step “%(action)s”.")
            % {"status": paper.get_status_display(), "action": action.label}
        )
    if not may_take(user, paper, action):
        raise PaperRefused(
            _("Only the paper's %(role)s may take the step “%(action)s”.")
            % {
                "role": action.role.label,
                "action": action.label,
            }
        )


def record_transition(*, paper: InputPaper, action: Action, user: User, comment: str = "") -> PaperEvent:
    """Move the (locked) paper to the action's status, keep the event, and tell the other side after commit."""
    event = PaperEvent(paper=paper, actor=user, from_status=paper.status, to_status=action.target, comment=comment)
    event.full_clean()
    event.save()
    paper.status = action.target
    paper.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: emails.notify_transition(event))
    return event


@transaction.atomic
def transition_paper(*, paper: InputPaper, action: Action | str, user: User, comment: str = "") -> PaperEvent:
    """Take a workflow step other than publishing (see publishing.publish_paper)."""
    action = ACTIONS[action] if isinstance(action, str) else action
    if action.name == "publish":
        from members.services.publishing import publish_paper

        return publish_paper(paper=paper, user=user, comment=comment)
    paper = InputPaper.objects.select_for_update().get(pk=paper.pk)
    check_action(paper=paper, action=action, user=user)
    if action.name == "submit" and not paper.versions.exists():
        raise PaperRefused(_("Upload the paper's file before submitting it."))
    return record_transition(paper=paper, action=action, user=user, comment=comment)
