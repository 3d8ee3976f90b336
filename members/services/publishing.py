"""Publishing an accepted input paper as a depository entry with its current file."""

from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from depository.creators import creator_for_person
from depository.documents import delete_stored_files_on_error
from depository.models import Attachment, Entry, EntryKind, EntryStatus
from depository.services import replace_creators
from depository.tasks import enqueue_text_extraction
from members.models import InputPaper, PaperEvent
from members.services.common import unique_slug
from members.services.papers import PaperRefused, check_action, record_transition
from members.workflow import ACTIONS


def publish_paper(*, paper: InputPaper, user: User, comment: str = "") -> PaperEvent:
    """Create or update the paper's depository entry (kind 'input paper'), attach its current file
    publicly, link both ways and mark the paper published, all or nothing.

    The file is copied into the public storage first; if anything after that fails, the copy is
    deleted again and the database is left as it was.
    """
    action = ACTIONS["publish"]
    with delete_stored_files_on_error() as stored, transaction.atomic():
        paper = (
            InputPaper.objects.select_for_update(of=("self",))
            .select_related("entry")
            .prefetch_related("authors", "cities", "city_types", "violence_types", "themes", "tags")
            .get(pk=paper.pk)
        )
        check_action(paper=paper, action=action, user=user)
        version = paper.current_version()
        if version is None:
            raise PaperRefused(_("The paper has no file to publish."))
        entry = save_entry(paper=paper, user=user)
        if not entry.attachments.filter(sha256=version.sha256).exists():
            attachment = Attachment(
                entry=entry,
                original_name=version.original_name,
                content_type=version.content_type,
                size=version.size,
                sha256=version.sha256,
                is_public=True,
                uploaded_by=version.uploaded_by,
            )
            with version.file.open("rb") as handle:
                attachment.file.save(f"paper.{version.kind}", File(handle), save=False)
            stored.append(attachment.file)
            attachment.full_clean()
            attachment.save()
            # Earlier files of this paper stay in the entry's history but are no longer offered.
            earlier = entry.attachments.exclude(pk=attachment.pk).filter(sha256__in=paper.versions.values("sha256"))
            earlier.update(is_public=False)
            # The background worker fills its text (and so the entry's search) once this commits.
            enqueue_text_extraction(attachment)
        paper.entry = entry
        paper.save(update_fields=["entry", "updated_at"])
        return record_transition(paper=paper, action=action, user=user, comment=comment)


def save_entry(*, paper: InputPaper, user: User) -> Entry:
    entry = paper.entry or Entry(kind=EntryKind.INPUT_PAPER, slug=unique_slug(Entry, paper.title))
    now = timezone.now()
    entry.kind = EntryKind.INPUT_PAPER
    entry.title = paper.title
    entry.summary = paper.abstract
    entry.language = paper.language
    entry.status = EntryStatus.PUBLISHED
    entry.published_at = entry.published_at or now
    entry.year = entry.year or entry.published_at.year
    entry.curated_by = user
    entry.full_clean()
    entry.save()
    entry.cities.set(paper.cities.all())
    entry.city_types.set(paper.city_types.all())
    entry.violence_types.set(paper.violence_types.all())
    entry.themes.set(paper.themes.all())
    entry.tags.set([tag.name for tag in paper.tags.all()])
    # The co-authors as creators linked to their people, so their disclosure levels hold in every
    # citation (issue 13, finding 4); in the order they were added to the paper.
    links = InputPaper.authors.through.objects.filter(inputpaper=paper).select_related("person").order_by("pk")
    replace_creators(entry=entry, creators=[creator_for_person(entry, link.person, n) for n, link in enumerate(links)])
    return entry
