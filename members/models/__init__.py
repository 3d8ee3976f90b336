"""TWG members and what they contribute: input papers and answers to the guiding questions."""

from members.models.accounts import Invitation, InvitationQuerySet, Member, hash_token
from members.models.papers import (
    InputPaper,
    InputPaperQuerySet,
    PaperEvent,
    PaperStatus,
    PaperVersion,
    paper_version_path,
)
from members.models.questions import Answer, Question, QuestionQuerySet

__all__ = [
    "Answer",
    "InputPaper",
    "InputPaperQuerySet",
    "Invitation",
    "InvitationQuerySet",
    "Member",
    "PaperEvent",
    "PaperStatus",
    "PaperVersion",
    "Question",
    "QuestionQuerySet",
    "hash_token",
    "paper_version_path",
]
