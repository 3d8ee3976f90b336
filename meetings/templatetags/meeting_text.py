"""Plain text of meeting records (objectives, key points) as HTML: paragraphs, and '- ' lines as lists."""

import datetime
import re

from django import template
from django.conf import settings
from django.utils.formats import date_format
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.templatetags.languages import in_its_language

register = template.Library()


@register.filter
def paragraphs_and_lists(text):
    """Every line is escaped; consecutive lines starting with '- ' become one list, the others paragraphs."""
    blocks, items = [], []

    def close_list():
        if items:
            blocks.append("<ul>" + format_html_join("", "<li>{}</li>", ((item,) for item in items)) + "</ul>")
            items.clear()

    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith("- "):
            items.append(line[2:].strip())
            continue
        close_list()
        if line:
            blocks.append(f"<p>{escape(line)}</p>")
    close_list()
    return mark_safe("\n".join(blocks))  # noqa: S308 - every piece of text above is escaped


# A stated timing the records give in English ("Autumn 2015", "April 2015"), in the page's language.
# Seasons by the northern hemisphere's naming, as the records use them; other timings are shown as
# written, marked as English (core/templatetags/languages.py). Issue 22, finding 9.
SEASONS = {
    "spring": _("Spring %(year)s"),
    "summer": _("Summer %(year)s"),
    "autumn": _("Autumn %(year)s"),
    "fall": _("Autumn %(year)s"),
    "winter": _("Winter %(year)s"),
}
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
TIMING = re.compile(r"^\s*(?P<when>[A-Za-z]+)\s+(?P<year>\d{4})\s*$")


@register.filter
def timing(text):
    """A meeting's `timing_note` in the active language: a season or a month with a year is
    translated ("Autumn 2015" -> "Otoño de 2015"), anything else kept in English and marked so."""
    match = TIMING.match(text or "")
    when = match["when"].lower() if match else ""
    if when in SEASONS:
        return SEASONS[when] % {"year": match["year"]}
    if when in MONTHS:
        return date_format(datetime.date(int(match["year"]), MONTHS.index(when) + 1, 1), "YEAR_MONTH_FORMAT")
    return in_its_language(text or "", settings.LANGUAGE_CODE)
