"""Template filters of the depository's pages: sanitized Markdown, search highlights, JSON-LD, and
the browse page's two hot spots, its facet values and its result cards."""

import json
import re
from functools import lru_cache
from html import escape as html_escape

import markdown as markdown_lib
import nh3
from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext

from core.templatetags.languages import lang_dir
from depository import creators, record
from depository.models import Entry, EntryStatus
from depository.models.translations import TranslatedText, active_language
from places.countries import country_name

register = template.Library()

# What the curators' Markdown may produce; everything else is dropped (nh3 also strips scripts,
# event handlers and javascript: links).
MARKDOWN_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def markdown(text):
    """Render curators' Markdown to HTML and sanitize it."""
    if not text:
        return ""
    html = markdown_lib.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return mark_safe(nh3.clean(html, tags=MARKDOWN_TAGS, link_rel="noopener noreferrer nofollow"))  # noqa: S308


# One sanitizer for every snippet: nh3.clean() would build its rules again for each (half its time).
SNIPPET_CLEANER = nh3.Cleaner(tags={"mark"}, attributes={})


@register.filter
def highlight(text):
    """A search snippet from PostgreSQL: keep its <mark> tags, escape everything else."""
    return mark_safe(SNIPPET_CLEANER.clean(text or ""))  # noqa: S308


@register.simple_tag(takes_context=True)
def shown_creators(context, entry):
    """The entry's creators the page's visitor may see (creators prefetched by the view)."""
    return creators.shown_creators(entry, creators.viewer_of(context["request"]))


@register.simple_tag
def reference_essentials(entry):
    """Where the work appeared (container, volume, issue, pages) and its publisher: escaped HTML parts."""
    return record.reference_essentials(entry)


@register.simple_tag
def json_ld(data):
    """A schema.org JSON-LD block, escaped so no text can close the script element."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.simple_tag
def facet_values(item):
    """The <li> of each value of one facet of the browse page (`item`: one facet of
    `depository.search.Results.facets`), every text escaped.

    Built here rather than by a {% for %} over template nodes: a page lists about 150 values, and
    Django's node-by-node rendering of them (a dozen variable lookups and conditions per value) took
    about a third of the page's time outside SQL at 100,000 entries. The texts (slugs, names, plain
    str) go through html.escape, as Django's `escape` does, without its lazy-string wrapper: a quarter
    of the time of `conditional_escape` here. Counts print as the template printed them (no
    thousands separator: USE_THOUSAND_SEPARATOR is off). The HTML is kept in `item` ("html"): a listing
    kept with its counts (search._kept_listing) is rendered once until the index changes."""
    if (kept := item.get("html")) is not None:
        return kept
    name = html_escape(item["facet"].name)
    # The records name countries in English; the facet shows them in the page's language (issue 22).
    label_of = country_name if item["facet"].name == "country" else str
    rows = []
    for value in item["values"]:
        empty = not value.count and not value.selected
        rows.append(
            ('<li class="facet__child">' if value.is_child else "<li>")
            + ('<label class="facet__empty">' if empty else "<label>")
            + f'<input type="checkbox" name="{name}" value="{html_escape(value.value)}"'
            + (" checked" if value.selected else "")
            + (" disabled" if empty else "")
            + f'> {html_escape(label_of(value.label))} <span class="facet__count">({value.count:d})</span></label></li>'
        )
    item["html"] = mark_safe("".join(rows))  # noqa: S308 (each text above is escaped)
    return item["html"]


@lru_cache(maxsize=64)
def _choice_labels(field_name, language):
    """{value: label} of an Entry field's choices, translated into `language` (the active language,
    which the caller passes: the key)."""
    return {value: str(label) for value, label in Entry._meta.get_field(field_name).flatchoices}


def choice_label(entry, field_name):
    """`entry.get_<field_name>_display()`, for an Entry: its choice's label in the active language,
    or the stored value when it is not a choice.

    Django's own method builds a hashable copy of every choice on each call, translating each label
    to hash it: twenty cards cost some 250 translations. The choices are fixed when the code loads,
    so their labels are translated once per language, not once per card (issue 23)."""
    value = getattr(entry, field_name)
    return str(_choice_labels(field_name, get_language()).get(value, value))


# What Django's `slug` path converter accepts: such a slug is put in a URL as it is.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@lru_cache(maxsize=32)
def _entry_url_around_slug(language, script_prefix, urlconf):
    """(before, after) the slug in an entry's URL for the active language, script prefix and URLconf:
    one reverse() per page's language rather than one per card."""
    before, after = reverse("depository:entry", kwargs={"slug": "slug"}, urlconf=urlconf).rsplit("/slug/", 1)
    return before + "/", "/" + after


def entry_url(entry):
    """entry.get_absolute_url(), without resolving the URL pattern again for each card."""
    if not _SLUG.fullmatch(entry.slug or ""):
        return entry.get_absolute_url()
    urlconf = get_urlconf() or settings.ROOT_URLCONF  # a test's override_settings(ROOT_URLCONF) keys apart
    before, after = _entry_url_around_slug(get_language(), get_script_prefix(), urlconf)
    return before + entry.slug + after


@register.simple_tag
def result_card(entry):
    """One entry of the browse page's results: its kind, year, strength of evidence and (to curators)
    status; its title, linked, in the page's language; the search's snippet with its highlights, or
    else the summary's first 40 words; its themes (`theme_labels`: the ids read with the row,
    EntryQuerySet.for_cards, named by the search from its kept vocabulary, search._name_themes). Every
    text escaped.

    Built in Python rather than by a template included once per card: the twenty cards' template
    nodes took about a fifth of the page's time outside SQL at 100,000 entries, this about half of
    that (the URL, the snippet's sanitizing and the themes' lookup are most of what is left). Plain
    strings and html.escape, as facet_values does, not format_html: Django's format_html and
    conditional_escape check every argument for a lazy string first (keep_lazy), 7.5 us a call
    against 0.5 us for the f-string and escapes (timeit), and a card made ~12 such calls; the page's
    language is looked up once per card, not once per translated text (issue 23)."""
    language = active_language()
    meta = [html_escape(choice_label(entry, "kind"))]
    if entry.year:
        meta.append(str(entry.year))
    if entry.evidence_level:
        meta.append(html_escape(choice_label(entry, "evidence_level")))
    if entry.status != EntryStatus.PUBLISHED:
        meta.append(f"<strong>{html_escape(choice_label(entry, 'status'))}</strong>")
    headline = getattr(entry, "headline", "")
    if headline:
        summary = f'<p class="card__summary" {lang_dir(entry.language)}>{highlight(headline)}</p>'
    elif text := entry.translation("summary", language):
        words = html_escape(Truncator(text).words(40, truncate=" …"))
        summary = f'<p class="card__summary" {lang_dir(text)}>{words}</p>'
    else:
        summary = ""
    names = [TranslatedText(name, written_in) for name, written_in in entry.theme_labels]
    if names:
        items = "".join(f'<li class="chip" {lang_dir(name)}>{html_escape(name)}</li>' for name in names)
        chips = f'<ul class="chips" aria-label="{html_escape(gettext("Themes"))}">{items}</ul>'
    else:
        chips = ""
    title = entry.translation("title", language)
    return mark_safe(  # noqa: S308 (every text above is escaped; lang_dir and highlight are safe HTML)
        f'<article class="card"><p class="card__kind">{" · ".join(meta)}</p>'
        f'<h2 class="card__title" {lang_dir(title)}><a href="{html_escape(entry_url(entry))}">{html_escape(title)}</a>'
        f"</h2>{summary}{chips}</article>"
    )


@register.filter
def terms_query(value):
    """The query string naming an entry's terms (its themes, city types, violence types and cities), or
    a list of theme slugs, in the browse page's parameters: the network's "people who work on this"
    panel reads the same parameters (issue 24). Relations are read as prefetched."""
    from django.http import QueryDict

    params = QueryDict(mutable=True)
    if isinstance(value, Entry):
        for name, terms in [
            ("theme", value.themes.all()),
            ("city_type", value.city_types.all()),
            ("violence_type", value.violence_types.all()),
            ("city", value.cities.all()),
        ]:
            params.setlist(name, [term.slug for term in terms])
    else:
        params.setlist("theme", list(value or []))
    return params.urlencode()
