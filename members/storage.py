"""Where members' unpublished files live: PRIVATE_MEDIA_ROOT, never under MEDIA_ROOT or STATIC_ROOT.

Files in this storage have no URL; they are served only by views that check the user.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
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


private_storage = PrivateStorage()


def get_private_storage():
    # A callable, so migrations refer to it instead of serializing a path.
    return private_storage
