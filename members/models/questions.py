"""The guiding questions with which the TWG clarifies 'the confluence', and members' answers."""

from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel
from meetings.models import Meeting
from members.models.accounts import Member


class QuestionQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def open(self):
        """Questions that can still be answered (no deadline, or a deadline still ahead)."""
        return self.public().filter(Q(deadline__isnull=True) | Q(deadline__gt=timezone.now()))

    def with_public_answers(self):
        answers = Answer.objects.filter(is_public=True).select_related("member__person", "member__organization")
        return self.select_related("meeting").prefetch_related(
            Prefetch("answers", queryset=answers, to_attr="public_answers")
        )


class Question(CleanTextModel):
    text = models.TextField(_("question"))
    deadline = models.DateTimeField(_("answers until"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guiding_questions",
    )
    is_public = models.BooleanField(
        _("published"), default=False, help_text=_("Published questions are shown to everyone and can be answered.")
    )
    synthesis = models.TextField(_("synthesis"), blank=True, help_text=_("The organizers' synthesis of the answers."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("guiding question")
        verbose_name_plural = _("guiding questions")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    @property
    def is_open(self):
        return self.deadline is None or self.deadline > timezone.now()


class Answer(CleanTextModel):
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("answer"))
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Public answers are shown with your name on the questions page.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["question", "created_at"]
        constraints = [
            # One answer per member per question: answering again edits it.
            models.UniqueConstraint(fields=["question", "member"], name="answer_one_per_member"),
        ]

    def __str__(self):
        return f"{self.member} · {self.question}"
