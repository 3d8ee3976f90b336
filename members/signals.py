"""Keep stored files and rows together: a deleted version (or a deleted paper's versions) takes its
private file with it, once the deletion is committed."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from members.models import PaperVersion


@receiver(post_delete, sender=PaperVersion, dispatch_uid="members_delete_version_file")
def delete_version_file(sender, instance, **kwargs):
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
