"""Keep each entry's search document current: on every save of the entry or of one of its files
(the files' text extraction saves `extracted_text`, which makes the entry findable by its words).
Keep the facet index (depository/postings.py) current on every change of an entry, its relations or
a vocabulary term."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from taggit.models import TaggedItem

from depository import postings
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


# -- the facet index (depository/postings.py): current in the transaction of every change ----------
@receiver(post_save, sender=Entry, dispatch_uid="depository_postings_entry_saved")
@receiver(post_delete, sender=Entry, dispatch_uid="depository_postings_entry_deleted")
def refresh_postings_of_entry(sender, instance, raw=False, **kwargs):
    if not raw:
        postings.refresh_entries([instance.pk])


def refresh_postings_of_relation(sender, instance, action, reverse, pk_set, **kwargs):
    """An entry's themes, types, cities or tags changed (from either side of the relation)."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        postings.refresh_entries([instance.pk])
    elif pk_set is not None:
        postings.refresh_entries(pk_set)
    else:  # a term's entries were cleared: which ones is no longer known
        postings.rebuild()


for relation in ("themes", "city_types", "violence_types", "cities"):
    m2m_changed.connect(
        refresh_postings_of_relation,
        sender=Entry._meta.get_field(relation).remote_field.through,
        dispatch_uid=f"depository_postings_{relation}",
    )
m2m_changed.connect(refresh_postings_of_relation, sender=TaggedItem, dispatch_uid="depository_postings_tags")


def rebuild_postings_of_vocabulary(sender, instance, raw=False, created=False, **kwargs):
    """A term's parent, a city's country, or a deleted term can move entries between rows."""
    if not raw and not created:
        postings.rebuild(postings.FACETS_OF_MODEL[sender])


for model in postings.FACETS_OF_MODEL:
    post_save.connect(
        rebuild_postings_of_vocabulary, sender=model, dispatch_uid=f"depository_postings_{model.__name__}"
    )
    post_delete.connect(
        rebuild_postings_of_vocabulary, sender=model, dispatch_uid=f"depository_postings_{model.__name__}_deleted"
    )
