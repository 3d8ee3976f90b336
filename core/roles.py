"""The organizer: the one role the portal defines beside Django's own staff and superuser flags.

Organizers are the TWG's curators (docs/admin.md): active staff accounts in the *Organizers* group,
which `manage.py ensure_organizer` keeps holding every permission of the curated apps. An active
superuser counts as one. Every check of "is this an organizer?" in the portal (previewing drafts and
non-public files, reviewing papers, seeing names whose disclosure is "organizers only") calls
`is_organizer`, so the role is defined here and nowhere else.
"""

from django.contrib.auth.models import Group, Permission

ORGANIZERS_GROUP = "Organizers"
# Organizers curate everything the portal holds; they manage member accounts but not staff rights.
CURATED_APPS = ["places", "people", "depository", "meetings", "members", "network", "taggit", "harvest"]
EXTRA_PERMISSIONS = [("auth", "view_user"), ("usage", "view_monthlyusage")]


def is_organizer(user) -> bool:
    """Whether `user` (a User or AnonymousUser) is an organizer: active staff in the Organizers group,
    or an active superuser. The group look-up (one query) is made once per user object."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_organizer", None)
    if cached is None:
        cached = user._is_organizer = user.groups.filter(name=ORGANIZERS_GROUP).exists()
    return cached


def sync_organizers_group() -> Group:
    """Create the Organizers group if missing and give it every permission of `CURATED_APPS` plus
    `EXTRA_PERMISSIONS` (and no other); returns the group. Idempotent."""
    group, _ = Group.objects.get_or_create(name=ORGANIZERS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=CURATED_APPS)
    extra = Permission.objects.none()
    for app_label, codename in EXTRA_PERMISSIONS:
        extra = extra | Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    group.permissions.set(permissions | extra)
    return group
