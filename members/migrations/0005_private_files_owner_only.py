"""Members' private files stored before issue 13 were 0644: make them 0600 (directories 0700).

Only for the private storage on this machine's disk; object storage has no file modes (its objects are
private to the bucket's owner). Idempotent, so it is safe on a restored or copied directory.
"""

import os

from django.db import migrations


def owner_only(apps, schema_editor):
    from django.core.files.storage import FileSystemStorage, storages

    from members.storage import PRIVATE_DIRECTORY_MODE, PRIVATE_FILE_MODE

    storage = storages["private"]
    if not isinstance(storage, FileSystemStorage) or not os.path.isdir(storage.location):
        return
    location = storage.location
    for directory, _, files in os.walk(location):
        os.chmod(directory, PRIVATE_DIRECTORY_MODE)
        for name in files:
            os.chmod(os.path.join(directory, name), PRIVATE_FILE_MODE)


class Migration(migrations.Migration):
    dependencies = [("members", "0004_invitation_person_help_text")]

    operations = [migrations.RunPython(owner_only, migrations.RunPython.noop, elidable=True)]
