"""The review workflow of input papers: which step moves a paper where, and who may take it.

proposed (at a meeting, by its author-to-be) -> draft -> submitted -> under review -> changes requested
-> submitted ... -> accepted -> published;  submitted, under review -> rejected;
proposed, draft, submitted, under review, changes requested, accepted -> withdrawn
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import PaperStatus


class Role(models.TextChoices):
    AUTHOR = "author", _("author")
    ORGANIZER = "organizer", _("organizer")


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    role: Role
    sources: frozenset
    target: PaperStatus

    def allows(self, status):
        return status in self.sources


S = PaperStatus
ACTIONS = {
    action.name: action
    for action in [
        # A paper the TWG records as proposed at a meeting becomes its author's draft when they start writing.
        Action("start_writing", _("Start writing"), Role.AUTHOR, frozenset({S.PROPOSED}), S.DRAFT),
        Action("submit", _("Submit for review"), Role.AUTHOR, frozenset({S.DRAFT, S.CHANGES_REQUESTED}), S.SUBMITTED),
        Action(
            "withdraw",
            _("Withdraw"),
            Role.AUTHOR,
            frozenset({S.PROPOSED, S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.ACCEPTED}),
            S.WITHDRAWN,
        ),
        Action("start_review", _("Start review"), Role.ORGANIZER, frozenset({S.SUBMITTED}), S.UNDER_REVIEW),
        Action(
            "request_changes", _("Request changes"), Role.ORGANIZER, frozenset({S.UNDER_REVIEW}), S.CHANGES_REQUESTED
        ),
        Action("accept", _("Accept"), Role.ORGANIZER, frozenset({S.UNDER_REVIEW}), S.ACCEPTED),
        Action("reject", _("Reject"), Role.ORGANIZER, frozenset({S.SUBMITTED, S.UNDER_REVIEW}), S.REJECTED),
        Action("publish", _("Publish in the depository"), Role.ORGANIZER, frozenset({S.ACCEPTED}), S.PUBLISHED),
    ]
}


def actions_for(role, status):
    return [action for action in ACTIONS.values() if action.role == role and action.allows(status)]
