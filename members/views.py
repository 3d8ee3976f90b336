from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from members.models import InputPaper


@require_safe
@login_required
def dashboard(request):
    papers = InputPaper.objects.filter(submitted_by__user=request.user).for_listing()
    return render(request, "members/dashboard.html", {"papers": papers})
