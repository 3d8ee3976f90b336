from django.db import transaction

from members.models import Answer, Member, Question


@transaction.atomic
def save_answer(*, question: Question, member: Member, text: str, is_public: bool) -> Answer:
    """Write or replace the member's one answer to the question (two tabs posting at once make one answer)."""
    answer, _ = Answer.objects.update_or_create(
        question=question, member=member, defaults={"text": text, "is_public": is_public}
    )
    return answer
