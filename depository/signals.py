"""Keep each entry's search document current: on every save of the entry or of one of its files
(the files' text extraction saves `extracted_text`, which makes the entry findable by its words)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from depository.models import Attachment, Entry
from depository.search import reindex_entries


@receiver(post_save, sender=Entry, dispatch_uid="depository_reindex_entry")
def reindex_saved_entry(sender, instance, raw=False, **kwargs):
    if not raw:
        reindex_entries([instance.pk])


@receiver(post_save, sender=Attachment, dispatch_uid="depository_reindex_attachment_saved")
def reindex_after_attachment_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        reindex_entries([instance.entry_id])


@receiver(post_delete, sender=Attachment, dispatch_uid="depository_reindex_attachment_deleted")
def reindex_after_attachment_deleted(sender, instance, **kwargs):
    # The entry may be being deleted too (cascade): re-index once the transaction is over, if it is still there.
    entry_id = instance.entry_id
    transaction.on_commit(lambda: reindex_entries(Entry.objects.filter(pk=entry_id).values_list("pk", flat=True)))
