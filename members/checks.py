from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


@register()
def private_media_is_not_served(app_configs, **kwargs):
    """Members' unpublished papers must not be reachable through the public media or static files."""
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    errors = []
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        public = Path(getattr(settings, name)).resolve()
        if private == public or public in private.parents or private in public.parents:
            errors.append(
                Error(
                    f"PRIVATE_MEDIA_ROOT ({private}) overlaps {name} ({public}).",
                    hint="Put members' unpublished files in a directory that is never served.",
                    id="members.E001",
                )
            )
    return errors
