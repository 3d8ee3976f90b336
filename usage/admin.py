"""The use statistics report in the admin: tables, SVG bar charts and a CSV, nothing to edit."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core import spreadsheets
from usage import reports
from usage.models import MonthlyUsage


class PeriodForm(forms.Form):
    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=120, initial=12, required=False)


@admin.register(MonthlyUsage)
class MonthlyUsageAdmin(admin.ModelAdmin):
    """GET ?months=N (1-120, default 12) shows the report of the last N months; &format=csv downloads
    it as one row per entry and month. Organizers may view it; nobody edits it by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = PeriodForm(request.GET or None)
        status = 200
        months = 12
        if form.is_bound:
            if form.is_valid():
                months = form.cleaned_data["months"] or 12
            else:
                status = 400
        start = reports.first_month(months)
        if status == 200 and request.GET.get("format") == "csv":
            response = StreamingHttpResponse(
                spreadsheets.streamed_rows(reports.csv_rows(start)), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="twg-use-statistics-{start:%Y-%m}.csv"'
            return response
        report = reports.build_report(start)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Use statistics"),
            "form": form,
            "months": months,
            "report": report,
            "month_views_chart": reports.bar_chart(report.by_month, key="views"),
            "month_downloads_chart": reports.bar_chart(report.by_month, key="downloads"),
            "theme_chart": reports.bar_chart(report.by_theme, key="views"),
            "kind_chart": reports.bar_chart(report.by_kind, key="views"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/usage/report.html", context, status=status)
