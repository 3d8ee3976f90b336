from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from members.models import InputPaper


def member_required(view):
    """Logged in, with a member account (organizers without one cannot write papers or answers)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        member = getattr(request.user, "member", None)
        if member is None:
            raise PermissionDenied
        request.member = member
        return view(request, *args, **kwargs)

    return wrapper


def get_paper_for_user(user, pk, queryset=None):
    """The paper if the user may see it (author, co-author member, organizer); 404 for everyone else."""
    queryset = queryset if queryset is not None else InputPaper.objects.all()
    return get_object_or_404(queryset.visible_to(user), pk=pk)
