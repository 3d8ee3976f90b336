"""Keep stored files and rows together: a deleted version (or a deleted paper's versions) takes its
private file with it, once the deletion is committed."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from depository.documents import delete_file_on_commit
from members.models import PaperVersion


@receiver(post_delete, sender=PaperVersion, dispatch_uid="members_delete_version_file")
def delete_version_file(sender, instance, **kwargs):
    delete_file_on_commit(instance.file)
