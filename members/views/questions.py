from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from members.forms import AnswerForm
from members.models import Answer, Question
from members.services.questions import save_answer
from members.views.common import member_required
from people.privacy import ShownPerson, Viewer


@require_safe
def question_list(request):
    """Public questions, their syntheses and the answers their authors made public."""
    questions = list(Question.objects.public().with_public_answers())
    # An answer made public shows its author as their disclosure level lets this visitor see them
    # (people/privacy.py), like every page that names people (issue 13, finding 4).
    viewer = Viewer(request.user)
    for question in questions:
        for answer in question.public_answers:
            person = answer.member.person
            answer.shown = (
                viewer.show(person, organization=answer.member.organization)
                if person is not None
                else ShownPerson(name="", title="", organization=None, named=False)
            )
    return render(request, "members/question_list.html", {"questions": questions})


@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def answer(request, pk):
    """Write or edit one's answer to a published question, until its deadline."""
    question = get_object_or_404(Question.objects.public().select_related("meeting"), pk=pk)
    existing = Answer.objects.filter(question=question, member=request.member).first()
    form = AnswerForm(request.POST or None, instance=existing)
    if request.method == "POST":
        if not question.is_open:
            messages.error(request, _("The deadline for answers to this question has passed."))
            return render(request, "members/answer_form.html", {"question": question, "form": None}, status=403)
        if form.is_valid():
            save_answer(question=question, member=request.member, **form.cleaned_data)
            messages.success(request, _("Your answer is saved."))
            return redirect("members:dashboard")
    return render(
        request,
        "members/answer_form.html",
        {"question": question, "form": form if question.is_open else None, "answer": existing},
    )
