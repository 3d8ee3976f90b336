"""The use statistics report: sums of MonthlyUsage over a period, and bar charts drawn as SVG."""

import datetime
from dataclasses import dataclass

from django.db.models import F, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from depository.models import EntryKind
from usage.models import MonthlyUsage

TOP = 20


def first_month(months, today=None):
    """The first day of the month `months - 1` months before this one (`months` >= 1)."""
    today = today or timezone.now().date()
    index = today.year * 12 + today.month - 1 - (months - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class Report:
    """Everything the report page shows for the months from `start` on. Each list holds dicts with
    "label", "views" and "downloads" (and "entry" for the top lists). Five queries."""

    start: datetime.date
    most_viewed: list
    most_downloaded: list
    by_theme: list
    by_kind: list
    by_month: list


def _sums(queryset):
    return queryset.annotate(views_sum=Sum("views"), downloads_sum=Sum("downloads"))


def build_report(start):
    usage = MonthlyUsage.objects.filter(month__gte=start)
    per_entry = _sums(usage.values("entry_id", "entry__title", "entry__slug"))
    kinds = dict(EntryKind.choices)

    def entry_rows(order):
        return [
            {
                "label": row["entry__title"],
                "entry": row["entry_id"],
                "views": row["views_sum"],
                "downloads": row["downloads_sum"],
            }
            for row in per_entry.order_by(F(order).desc(), "entry__title")[:TOP]
            if row[order]
        ]

    return Report(
        start=start,
        most_viewed=entry_rows("views_sum"),
        most_downloaded=entry_rows("downloads_sum"),
        # An entry with several themes counts under each; entries without a theme under None.
        by_theme=[
            {"label": row["entry__themes__name"] or gettext("No theme"), **_pair(row)}
            for row in _sums(usage.values("entry__themes__name")).order_by("-views_sum", "entry__themes__name")
        ],
        by_kind=[
            {"label": kinds.get(row["entry__kind"], row["entry__kind"]), **_pair(row)}
            for row in _sums(usage.values("entry__kind")).order_by("-views_sum", "entry__kind")
        ],
        by_month=[
            {"label": date_format(row["month"], "YEAR_MONTH_FORMAT"), "month": row["month"], **_pair(row)}
            for row in _sums(usage.values("month")).order_by("month")
        ],
    )


def _pair(row):
    return {"views": row["views_sum"], "downloads": row["downloads_sum"]}


def csv_rows(start):
    """One row per entry and month, for spreadsheets: (month "YYYY-MM", slug, title, kind, views,
    downloads). One query, streamed."""
    yield ("month", "entry", "title", "kind", "page_views", "file_downloads")
    rows = (
        MonthlyUsage.objects.filter(month__gte=start)
        .order_by("month", "entry__slug")
        .values_list("month", "entry__slug", "entry__title", "entry__kind", "views", "downloads")
    )
    for month, slug, title, kind, views, downloads in rows.iterator():
        yield (f"{month:%Y-%m}", slug, title, kind, views, downloads)


BAR_HEIGHT = 18
GAP = 6
LABEL_SHARE = 40  # per cent of the width for the labels


def bar_chart(rows, *, key):
    """Geometry of a horizontal bar chart of `rows[i][key]`, for templates/admin/usage/bar_chart.svg:
    {"height": pixels, "rows": [{"label", "value", "y", "text_y", "width", "value_x" (per cent of
    the whole; templates print them with |stringformat:"s" so no locale writes a decimal comma)}]}."""
    largest = max((row[key] for row in rows), default=0) or 1
    bars = []
    for number, row in enumerate(rows):
        y = number * (BAR_HEIGHT + GAP)
        width = round((100 - LABEL_SHARE - 8) * row[key] / largest, 2)
        bars.append(
            {
                "label": row["label"],
                "value": row[key],
                "y": y,
                "text_y": y + BAR_HEIGHT - 5,
                "width": width,
                "value_x": round(LABEL_SHARE + width + 1, 2),
            }
        )
    return {"height": max(len(rows) * (BAR_HEIGHT + GAP), BAR_HEIGHT), "rows": bars, "label_share": LABEL_SHARE}
