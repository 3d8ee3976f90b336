"""Where members' unpublished files live: never under MEDIA_ROOT or STATIC_ROOT, never with a URL.

`STORAGES["private"]` says which storage that is (twg_portal/settings.py): PrivateStorage under
PRIVATE_MEDIA_ROOT on this machine's disk, or, when the S3 variables are set, a private prefix
(or bucket) of the object storage. Files in it are served only by views that check the user.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, cached_property, empty

PRIVATE_STORAGE_ALIAS = "private"


# Readable by the portal's own user only (issue 13, finding 7: papers were stored 0644). Django applies
# these after each save (FILE_UPLOAD_PERMISSIONS / FILE_UPLOAD_DIRECTORY_PERMISSIONS, for this storage
# alone); files stored before are fixed by migration members 0004.
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIRECTORY_MODE = 0o700


class PrivateStorage(FileSystemStorage):
    """PRIVATE_MEDIA_ROOT on disk: files 0600, directories 0700, no URL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("file_permissions_mode", PRIVATE_FILE_MODE)
        kwargs.setdefault("directory_permissions_mode", PRIVATE_DIRECTORY_MODE)
        super().__init__(**kwargs)

    @cached_property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a permission-checking view.")


class ConfiguredPrivateStorage(LazyObject):
    """STORAGES["private"], looked up when first used (like Django's default_storage), so a FileField
    can hold it from import time and still follow a change of STORAGES."""

    def _setup(self):
        self._wrapped = storages[PRIVATE_STORAGE_ALIAS]


private_storage = ConfiguredPrivateStorage()


def forget_private_storage(*, setting, **kwargs):
    # Django's test signals reset `storages` when STORAGES changes; the proxy follows.
    if setting == "STORAGES":
        private_storage._wrapped = empty


setting_changed.connect(forget_private_storage)


def get_private_storage():
    # A callable, so migrations refer to it instead of serializing a path.
    return private_storage
