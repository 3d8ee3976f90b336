"""Plain text of meeting records (objectives, key points) as HTML: paragraphs, and '- ' lines as lists."""

from django import template
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

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
