"""The entry's bibliographic record in the admin (issue 20): its fields grouped as a cataloguer reads a
record, help that says what a field means for each type of work, and a small script
(static/js/entry_record_admin.js) that names the fields for the chosen type ("Journal" for an article,
"Book" for a chapter, "Website" for a web page) and folds away those that do not apply to it. A field
that holds a value is never hidden. Without JavaScript every field shows, with the general help.

What applies to which type follows CSL's variables per type as Zotero's item types use them."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from depository.models import Entry, EntryKind, ItemType

T = ItemType
ARTICLES = [T.ARTICLE_JOURNAL, T.ARTICLE_MAGAZINE, T.ARTICLE_NEWSPAPER, T.REVIEW, T.REVIEW_BOOK, T.ARTICLE]
BOOKS = [T.BOOK, T.REPORT, T.THESIS, T.MANUSCRIPT, T.DOCUMENT, T.PAMPHLET, T.CLASSIC, T.STANDARD]

# Field -> the types it applies to; a field not named here applies to every type.
APPLIES_TO = {
    "container_title": [
        *ARTICLES, T.CHAPTER, T.PAPER_CONFERENCE, T.WEBPAGE, T.POST, T.POST_WEBLOG, T.ENTRY, T.ENTRY_DICTIONARY,
        T.ENTRY_ENCYCLOPEDIA, T.BROADCAST, T.LEGAL_CASE, T.LEGISLATION, T.DATASET, T.INTERVIEW, T.FIGURE,
    ],
    "container_title_short": [*ARTICLES, T.CHAPTER, T.PAPER_CONFERENCE, T.LEGAL_CASE],
    "volume": [*ARTICLES, *BOOKS, T.CHAPTER, T.PAPER_CONFERENCE, T.ENTRY_DICTIONARY, T.ENTRY_ENCYCLOPEDIA,
               T.LEGAL_CASE, T.LEGISLATION, T.PERIODICAL],
    "issue": [*ARTICLES, T.PERIODICAL, T.LEGISLATION],
    "page": [*ARTICLES, T.CHAPTER, T.PAPER_CONFERENCE, T.ENTRY, T.ENTRY_DICTIONARY, T.ENTRY_ENCYCLOPEDIA,
             T.LEGAL_CASE, T.LEGISLATION, T.REPORT],
    "number_of_pages": [*BOOKS],
    "number_of_volumes": [T.BOOK, T.CLASSIC, T.COLLECTION, T.ENTRY_ENCYCLOPEDIA, T.ENTRY_DICTIONARY],
    "edition": [*BOOKS, T.CHAPTER, T.ENTRY_DICTIONARY, T.ENTRY_ENCYCLOPEDIA, T.MAP, T.SOFTWARE, T.ARTICLE_NEWSPAPER],
    "event_title": [T.PAPER_CONFERENCE, T.SPEECH, T.EVENT, T.PERFORMANCE],
    "event_place": [T.PAPER_CONFERENCE, T.SPEECH, T.EVENT, T.PERFORMANCE],
    "archive_location": [*BOOKS, T.COLLECTION, T.MANUSCRIPT, T.MAP, T.GRAPHIC, T.INTERVIEW, T.PERSONAL_COMMUNICATION],
    "call_number": [*BOOKS, T.CHAPTER, T.COLLECTION, T.MAP, T.GRAPHIC],
}  # fmt: skip

# Field -> {type: its label for that type}: the name a cataloguer uses.
LABELS = {
    "container_title": {
        T.ARTICLE_JOURNAL: _("Journal"),
        T.REVIEW: _("Journal"),
        T.REVIEW_BOOK: _("Journal"),
        T.ARTICLE_MAGAZINE: _("Magazine"),
        T.ARTICLE_NEWSPAPER: _("Newspaper"),
        T.ARTICLE: _("Repository"),
        T.DATASET: _("Repository"),
        T.CHAPTER: _("Book"),
        T.PAPER_CONFERENCE: _("Proceedings"),
        T.WEBPAGE: _("Website"),
        T.POST: _("Website"),
        T.POST_WEBLOG: _("Blog"),
        T.ENTRY_DICTIONARY: _("Dictionary"),
        T.ENTRY_ENCYCLOPEDIA: _("Encyclopedia"),
        T.BROADCAST: _("Programme"),
    },
    "container_title_short": {
        T.CHAPTER: _("Book's short title"),
        T.PAPER_CONFERENCE: _("Proceedings' short title"),
    },
    "collection_title": {T.REPORT: _("Report series"), T.MANUSCRIPT: _("Working paper series")},
    "publisher": {T.THESIS: _("University"), T.REPORT: _("Institution"), T.WEBPAGE: _("Organization")},
    "genre": {T.THESIS: _("Degree"), T.REPORT: _("Type of report"), T.MANUSCRIPT: _("Type of paper")},
    "report_number": {T.MANUSCRIPT: _("Paper number"), T.PATENT: _("Patent number")},
}

HELP_TEXTS = {
    "item_type": _(
        "As a reference manager records it (CSL's type); the kind above is the portal's own. Blank: the type "
        "the kind implies (a report for meeting reports and guidance, a manuscript for input papers, else a "
        "document). With JavaScript, the fields below are named for the type and those that do not apply fold away."
    ),
    "container_title": _(
        "Where the work was published: the journal of an article, the book of a chapter (its editors are "
        "creators in the role “editor” or “author of the book”), the website of a web page, the proceedings of "
        "a conference paper, the newspaper, the dictionary or encyclopedia of an entry. Blank for a book or a report."
    ),
    "container_title_short": _("The journal's abbreviation (e.g. J. Urban Health), or the book's short title."),
    "collection_title": _("The series the work appeared in (e.g. a working paper series): its number goes below."),
    "page": _("The pages of the article or chapter in the journal or book, e.g. 123-145."),
    "number_of_pages": _("How many pages the whole book or report has."),
    "publisher": _("The publisher; for a thesis, the university; for a report, the institution that issued it."),
    "genre": _("e.g. Working paper, Policy brief, PhD thesis (the type of a report or thesis)."),
}


def kind_types():
    """{kind: the type it implies}, for the script's blank type."""
    return {kind: str(ItemType.for_kind(kind)) for kind in EntryKind.values}


class EntryRecordForm(forms.ModelForm):
    """The entry's admin form: help per field, and the per-type labels and applicability on the type's
    widget (data attributes read by static/js/entry_record_admin.js; no inline script, CSP-safe)."""

    class Meta:
        model = Entry
        fields = "__all__"  # noqa: DJ007 (the ModelAdmin's fieldsets say which)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text in HELP_TEXTS.items():
            if name in self.fields:
                self.fields[name].help_text = text
        if "item_type" in self.fields:
            self.fields["item_type"].widget.attrs.update(
                {
                    "data-record-applies": json.dumps(
                        {name: [str(t) for t in types] for name, types in APPLIES_TO.items()}
                    ),
                    "data-record-labels": json.dumps(
                        {name: {str(t): str(label) for t, label in labels.items()} for name, labels in LABELS.items()}
                    ),
                    "data-record-kind-types": json.dumps(kind_types()),
                }
            )


FIELDSETS = [
    (
        _("The work"),
        {"fields": ["kind", "item_type", "genre", "title", "title_short", "slug", "language", "status"]},
    ),
    (
        _("Published in"),
        {
            "fields": [
                "container_title",
                "container_title_short",
                "volume",
                "issue",
                "page",
                "collection_title",
                "collection_number",
                "edition",
                "number_of_pages",
                "number_of_volumes",
                "event_title",
                "event_place",
            ],
            "description": _("Where the work appeared. Fill in what the work states; leave the rest blank."),
        },
    ),
    (
        _("Publication"),
        {"fields": ["publisher", "publisher_place", "year", "date_issued", "date_issued_precision", "original_date"]},
    ),
    (
        _("Identifiers and links"),
        {
            "fields": [
                "doi",
                "isbn",
                "issn",
                "report_number",
                "external_url",
                "accessed",
                "archive",
                "archive_location",
                "call_number",
                "rights",
            ]
        },
    ),
    (
        _("Abstract and notes"),
        {"fields": ["abstract", "summary", "body", "annotation", "note", "note_is_public", "other_variables"]},
    ),
]
