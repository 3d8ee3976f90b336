"""Keep file storage and database in step: no file without its row, no row without its file."""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def delete_stored_files_on_error():
    """Yields a list; append each FieldFile stored inside the block. If the block raises (so the
    transaction around it rolls back), those files are deleted again before the error goes on."""
    stored = []
    try:
        yield stored
    except BaseException:
        for field_file in stored:
            field_file.storage.delete(field_file.name)
        raise


def delete_file_on_commit(field_file):
    """Delete a file that a row no longer references, once that change is committed."""
    storage, name = field_file.storage, field_file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))
