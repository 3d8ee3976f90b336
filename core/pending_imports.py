"""Where django-import-export keeps an uploaded file between its dry run and its confirmation.

Its own MediaStorage, on the storage named "import_export" (settings: the private storage, never
served), so that the confirmation finds the file whichever web server answers it and however full
the cache is (issue 22, finding 1: with CacheStorage a confirmation after the cache culled answered
500). What MediaStorage lacks is CacheStorage's expiry: a dry run that is never confirmed would leave
its file for ever. Each new pending file therefore removes those older than MAX_AGE, as long as
CacheStorage kept them.
"""

import posixpath
from datetime import timedelta

from django.utils import timezone
from import_export.tmp_storages import MediaStorage


class PendingImportStorage(MediaStorage):
    MAX_AGE = timedelta(days=1)  # CacheStorage.CACHE_LIFETIME

    def save(self, data):
        super().save(data)
        self.remove_stale()

    def remove_stale(self):
        """Delete pending files last written more than MAX_AGE ago. Returns how many."""
        try:
            _directories, files = self._storage.listdir(self.MEDIA_FOLDER)
        except FileNotFoundError:
            return 0
        cutoff = timezone.now() - self.MAX_AGE
        removed = 0
        for name in files:
            path = posixpath.join(self.MEDIA_FOLDER, name)
            try:
                stale = self._storage.get_modified_time(path) < cutoff
            except FileNotFoundError:  # confirmed (and removed) meanwhile
                continue
            if stale:
                self._storage.delete(path)
                removed += 1
        return removed
