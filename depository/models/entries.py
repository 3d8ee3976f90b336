"""Depository entries and the glossary."""

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear, Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from core.roles import is_organizer
from depository.identifiers import doi_from_url, normalise_doi, normalise_isbn, normalise_issn
from depository.models.translations import (
    Language,
    TranslatableContent,
    Translated,
    active_language,
    translation_field,
)
from depository.models.vocabulary import CityType, Theme, ViolenceType
from places.models import City

# Titles as long as the works have them: 600 characters are at most 2,400 bytes in UTF-8 in any
# script, under PostgreSQL's limit of about 2,700 bytes for an entry of the title sort's B-tree index
# (a longer value would fail the insert); the longest title of the reference-manager files we
# measured has about 300. A longer one is cut at import, with a warning, and kept whole in the notes.
TITLE_MAX_LENGTH = 600

# "Newest" for a reader is the newest work, not the latest addition to the portal: a freshly loaded
# portal adds every entry at once (issue 22, finding 9). The document's own date (`year`, then the day
# when known), then when it was added; the browse page's default sort, the feed, the API's default
# order, the alert digests and the home page's "Latest in the depository" all use it, and the
# index `entry_published_newest_idx` walks it.
NEWEST_WORK_FIRST = (
    F("year").desc(nulls_last=True),
    F("date_issued").desc(nulls_last=True),
    F("published_at").desc(nulls_last=True),
    F("created_at").desc(),
)


class EntryKind(models.TextChoices):
    TOOL = "tool", _("Tool")
    MECHANISM = "mechanism", _("Mechanism")
    PROMISING_PRACTICE = "promising_practice", _("Promising practice")
    CASE_STUDY = "case_study", _("Case study")
    LESSON_FROM_FAILURE = "lesson_from_failure", _("Lesson from failure")
    PUBLICATION = "publication", _("Publication")
    INPUT_PAPER = "input_paper", _("Input paper")
    MEETING_REPORT = "meeting_report", _("Meeting report")
    GUIDANCE = "guidance", _("Guidance")

    @property
    def has_practice_card(self):
        """Tools, mechanisms and promising practices carry the practice card practitioners compare."""
        return self in {EntryKind.TOOL, EntryKind.MECHANISM, EntryKind.PROMISING_PRACTICE, EntryKind.CASE_STUDY}

    @property
    def has_failure_card(self):
        return self == EntryKind.LESSON_FROM_FAILURE

    @classmethod
    def literature(cls):
        """The kinds the annotated literature review lists."""
        return [cls.PUBLICATION, cls.INPUT_PAPER, cls.MEETING_REPORT, cls.GUIDANCE]


class ItemType(models.TextChoices):
    """The type of the work as a reference manager records it: CSL 1.0.2's item types
    (https://docs.citationstyles.org/en/stable/specification.html#appendix-iii-types), the vocabulary
    Zotero, Mendeley and citeproc share. Kept beside the portal's own `EntryKind` (tool, practice,
    publication ...), which stays the practitioners' facet. The kinds of work this field produces come
    first; the rest of CSL's list follows so that no imported type is lost."""

    ARTICLE_JOURNAL = "article-journal", _("Journal article")
    BOOK = "book", _("Book")
    CHAPTER = "chapter", _("Book chapter")
    REPORT = "report", _("Report")
    PAPER_CONFERENCE = "paper-conference", _("Conference paper")
    THESIS = "thesis", _("Thesis")
    WEBPAGE = "webpage", _("Web page")
    DATASET = "dataset", _("Dataset")
    LEGISLATION = "legislation", _("Legislation")
    REGULATION = "regulation", _("Regulation or policy")
    SPEECH = "speech", _("Presentation or speech")
    MANUSCRIPT = "manuscript", _("Manuscript or working paper")
    DOCUMENT = "document", _("Document")
    ARTICLE = "article", _("Article (preprint)")
    ARTICLE_MAGAZINE = "article-magazine", _("Magazine article")
    ARTICLE_NEWSPAPER = "article-newspaper", _("Newspaper article")
    BILL = "bill", _("Bill")
    BROADCAST = "broadcast", _("Broadcast")
    CLASSIC = "classic", _("Classic")
    COLLECTION = "collection", _("Archival collection")
    ENTRY = "entry", _("Entry")
    ENTRY_DICTIONARY = "entry-dictionary", _("Dictionary entry")
    ENTRY_ENCYCLOPEDIA = "entry-encyclopedia", _("Encyclopedia entry")
    EVENT = "event", _("Event")
    FIGURE = "figure", _("Figure")
    GRAPHIC = "graphic", _("Graphic")
    HEARING = "hearing", _("Hearing")
    INTERVIEW = "interview", _("Interview")
    LEGAL_CASE = "legal_case", _("Legal case")
    MAP = "map", _("Map")
    MOTION_PICTURE = "motion_picture", _("Film")
    MUSICAL_SCORE = "musical_score", _("Musical score")
    PAMPHLET = "pamphlet", _("Pamphlet")
    PATENT = "patent", _("Patent")
    PERFORMANCE = "performance", _("Performance")
    PERIODICAL = "periodical", _("Periodical")
    PERSONAL_COMMUNICATION = "personal_communication", _("Personal communication")
    POST = "post", _("Post")
    POST_WEBLOG = "post-weblog", _("Blog post")
    REVIEW = "review", _("Review")
    REVIEW_BOOK = "review-book", _("Book review")
    SOFTWARE = "software", _("Software")
    SONG = "song", _("Song or recording")
    STANDARD = "standard", _("Standard")
    TREATY = "treaty", _("Treaty")

    @classmethod
    def for_kind(cls, kind):
        """The type a work of the portal's `kind` has when nothing else says (the TWG's own records)."""
        return {
            EntryKind.MEETING_REPORT: cls.REPORT,
            EntryKind.GUIDANCE: cls.REPORT,
            EntryKind.INPUT_PAPER: cls.MANUSCRIPT,
        }.get(kind, cls.DOCUMENT)


class DatePrecision(models.TextChoices):
    """How much of the date issued is known (CSL's date-parts: [year], [year, month], [year, month, day])."""

    YEAR = "year", _("Year")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


class EvidenceLevel(models.TextChoices):
    """How strong the evidence behind a practice is (a facet of the browse page)."""

    ANECDOTAL = "anecdotal", _("Anecdotal")
    DOCUMENTED = "documented", _("Documented")
    EVALUATED = "evaluated", _("Evaluated")


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class StatusIs(models.Func):
    """`<status column> = '<status>'`, the status (an EntryStatus) written into the SQL (see
    EntryQuerySet.published)."""

    template = "%(expressions)s = '%(status)s'"
    output_field = models.BooleanField()

    def __init__(self, expression, *, status):
        super().__init__(expression, status=EntryStatus(status).value)  # ValueError for anything else


class EntryQuerySet(models.QuerySet):
    def published(self):
        # The status as a literal in the SQL, not a parameter: a prepared statement's generic plan can
        # then use the indexes kept for published entries (entry_published_newest_idx ...), which
        # PostgreSQL matches to a query only by the literal. With a parameter, the generic plan of the
        # browse page's page statement read every entry and sorted (280 ms at 100,000 entries), so
        # PostgreSQL planned it anew at every page (~0.5 ms; search.prepared.preparing, issue 23).
        return self.filter(StatusIs(F("status"), status=EntryStatus.PUBLISHED))

    def visible_to(self, user):
        """Published entries for everyone; curators also preview drafts and archived entries."""
        if is_organizer(user):
            return self.all()
        return self.published()

    def for_listing(self):
        # The entry card shows the themes; the long texts stay in the database (listing pages
        # never show them, and at 100,000 entries dragging them costs more than the page itself).
        return self.defer(*Entry.LONG_TEXT_FIELDS).prefetch_related("themes")

    def for_cards(self):
        """The entries as a result card shows them (the browse page's results): only Entry.CARD_FIELDS,
        and `theme_ids`, the ids of the entry's themes (in no order): read from the unique index on
        (entry, theme) of the entries' themes, where an index-only scan answers. The themes' names
        and their order come from what the search keeps of the vocabulary (depository.search.facet_terms:
        theme_names; the search sets each row's `theme_labels` from them). Before, this statement
        joined the themes and sorted their names for each row: 0.09 of `kidnapping`'s 0.68 ms page
        statement at 100,000 entries (issue 23). Listings that read more than a card (feeds, exports,
        the API) use for_listing()."""
        # The code's own table and column names.
        ids = (
            f"SELECT et.theme_id FROM {Entry.themes.through._meta.db_table} et "  # noqa: S608
            f"WHERE et.entry_id = {Entry._meta.db_table}.id"
        )
        return self.only(*Entry.CARD_FIELDS).annotate(
            theme_ids=RawSQL(f"ARRAY({ids})", [], output_field=ArrayField(models.IntegerField()))  # noqa: S611
        )

    def literature(self):
        return self.filter(kind__in=EntryKind.literature())

    def newest(self, count):
        """The `count` newest works, newest first (the home page's list; NEWEST_WORK_FIRST). Not Django's
        `latest(field)`, which returns one object."""
        return self.order_by(*NEWEST_WORK_FIRST, "pk")[:count]


class Entry(TranslatableContent):
    kind = models.CharField(_("kind"), max_length=32, choices=EntryKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    annotation = models.TextField(
        _("annotation"), blank=True, help_text=_("The literature review's note on why this matters to the TWG.")
    )
    # The bibliographic record: CSL's variables (https://docs.citationstyles.org/en/stable/
    # specification.html#appendix-iv-variables), named after them; depository/csl.py maps them to and
    # from CSL-JSON, and every import and export format goes through that mapping (docs/citations.md).
    item_type = models.CharField(
        _("type of work"),
        max_length=32,
        choices=ItemType.choices,
        blank=True,
        db_default="",
        help_text=_(
            "As a reference manager records it (CSL's type); the kind above is the portal's own. "
            "Blank: the type the kind implies (a report for meeting reports and guidance, a manuscript "
            "for input papers, else a document)."
        ),
    )
    genre = models.CharField(
        _("genre"),
        max_length=300,
        blank=True,
        db_default="",
        help_text=_("e.g. Working paper, Policy brief, PhD thesis."),
    )
    title_short = models.CharField(_("short title"), max_length=300, blank=True, db_default="")
    container_title = models.CharField(
        _("published in"),
        max_length=TITLE_MAX_LENGTH,
        blank=True,
        db_default="",
        help_text=_("The journal of an article, the book of a chapter, the website of a page, the proceedings."),
    )
    container_title_short = models.CharField(
        _("journal abbreviation"), max_length=300, blank=True, db_default="", help_text=_("e.g. J. Urban Health")
    )
    collection_title = models.CharField(
        _("series"),
        max_length=TITLE_MAX_LENGTH,
        blank=True,
        db_default="",
        help_text=_("The series the work appeared in."),
    )
    collection_number = models.CharField(_("number in the series"), max_length=100, blank=True, db_default="")
    volume = models.CharField(_("volume"), max_length=100, blank=True, db_default="")
    issue = models.CharField(_("issue"), max_length=100, blank=True, db_default="")
    page = models.CharField(_("pages"), max_length=100, blank=True, db_default="", help_text=_("e.g. 123-145"))
    number_of_pages = models.CharField(_("number of pages"), max_length=100, blank=True, db_default="")
    number_of_volumes = models.CharField(_("number of volumes"), max_length=100, blank=True, db_default="")
    edition = models.CharField(_("edition"), max_length=100, blank=True, db_default="")
    event_title = models.CharField(
        _("event"),
        max_length=TITLE_MAX_LENGTH,
        blank=True,
        db_default="",
        help_text=_("The conference or meeting it was given at."),
    )
    event_place = models.CharField(_("place of the event"), max_length=300, blank=True, db_default="")
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    publisher_place = models.CharField(_("place of publication"), max_length=300, blank=True, db_default="")
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("The year the document itself was published.")
    )
    date_issued = models.DateField(
        _("date issued"),
        null=True,
        blank=True,
        help_text=_("The day the document itself was published, when known; otherwise give the year only."),
    )
    date_issued_precision = models.CharField(
        _("date issued known to the"),
        max_length=8,
        choices=DatePrecision.choices,
        blank=True,  # blank is read as "day": the precision matters only when a date issued is given
        default=DatePrecision.DAY,
        db_default=DatePrecision.DAY,
        help_text=_("Month: only the year and month of the date issued are known (its day is then the 1st)."),
    )
    original_date = models.CharField(
        _("original date"),
        max_length=10,
        blank=True,
        db_default="",
        validators=[RegexValidator(r"^\d{4}(-\d{2}(-\d{2})?)?$", _("Give a year, YYYY-MM or YYYY-MM-DD."))],
        help_text=_("When the work first appeared, for a reprint or translation: YYYY, YYYY-MM or YYYY-MM-DD."),
    )
    abstract = models.TextField(
        _("abstract"), blank=True, db_default="", help_text=_("The work's own abstract, as published, in its language.")
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH)
    external_url = models.URLField(_("external link"), max_length=2000, blank=True)
    accessed = models.DateField(_("date accessed"), null=True, blank=True, help_text=_("When the link was read."))
    archive = models.CharField(
        _("archive"), max_length=300, blank=True, db_default="", help_text=_("e.g. a library or repository.")
    )
    archive_location = models.CharField(_("location in the archive"), max_length=300, blank=True, db_default="")
    call_number = models.CharField(_("call number"), max_length=200, blank=True, db_default="")
    rights = models.CharField(
        _("rights or licence"), max_length=1000, blank=True, db_default="", help_text=_("e.g. CC BY 4.0")
    )
    note = models.TextField(
        _("notes"), blank=True, db_default="", help_text=_("Seen by organizers only, unless marked public below.")
    )
    note_is_public = models.BooleanField(_("notes are public"), default=False, db_default=False)
    other_variables = models.JSONField(
        _("other fields"),
        default=dict,
        db_default=Value({}, output_field=models.JSONField()),
        blank=True,
        help_text=_(
            "Every other field the record came with, as CSL-JSON variables (or the exporter's own name), "
            "and values kept as written because they did not pass a check (an ISBN, a link)."
        ),
    )
    # Identifiers, stored normalised (depository/identifiers.py); the URL is `external_url`.
    doi = models.CharField(_("DOI"), max_length=200, blank=True, help_text=_("e.g. 10.18356/9789210010948"))
    isbn = models.CharField(_("ISBN"), max_length=32, blank=True, help_text=_("ISBN-10 or ISBN-13; kept as ISBN-13."))
    issn = models.CharField(_("ISSN"), max_length=16, blank=True)
    report_number = models.CharField(_("report number"), max_length=100, blank=True)
    cities = models.ManyToManyField(City, verbose_name=_("cities"), blank=True, related_name="entries")
    city_types = models.ManyToManyField(CityType, verbose_name=_("city types"), blank=True, related_name="entries")
    violence_types = models.ManyToManyField(
        ViolenceType, verbose_name=_("violence types"), blank=True, related_name="entries"
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="entries")
    tags = TaggableManager(verbose_name=_("tags"), blank=True)
    # The practice card (tools, mechanisms, promising practices, case studies). Where it was used: `cities`.
    what_it_is = models.TextField(_("what it is"), blank=True)
    who_implements = models.TextField(_("who implements it"), blank=True)
    costs_and_needs = models.TextField(_("what it costs or needs"), blank=True)
    outcomes = models.TextField(_("what came of it"), blank=True)
    evidence_level = models.CharField(
        _("strength of the evidence"), max_length=16, choices=EvidenceLevel.choices, blank=True
    )
    # The lesson-from-failure card.
    what_was_tried = models.TextField(_("what was tried"), blank=True)
    what_went_wrong = models.TextField(_("what went wrong"), blank=True)
    what_was_learned = models.TextField(_("what was learned"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.DRAFT)
    # When the entry went public on the portal, not the document's own date (`issued`).
    published_at = models.DateTimeField(_("added to the portal"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    curated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("curated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="curated_entries",
    )

    # Translations of the title and summary (the originals are in the entry's `language`).
    title_en = translation_field(_("title"), Language.ENGLISH, max_length=TITLE_MAX_LENGTH)
    title_es = translation_field(_("title"), Language.SPANISH, max_length=TITLE_MAX_LENGTH)
    title_fr = translation_field(_("title"), Language.FRENCH, max_length=TITLE_MAX_LENGTH)
    title_ar = translation_field(_("title"), Language.ARABIC, max_length=TITLE_MAX_LENGTH)
    summary_en = translation_field(_("summary"), Language.ENGLISH)
    summary_es = translation_field(_("summary"), Language.SPANISH)
    summary_fr = translation_field(_("summary"), Language.FRENCH)
    summary_ar = translation_field(_("summary"), Language.ARABIC)

    objects = EntryQuerySet.as_manager()

    TRANSLATED_FIELDS = ("title", "summary")
    TRANSLATION_LANGUAGES = tuple(Language)
    translated_title = Translated("title")
    translated_summary = Translated("summary")

    # Texts only the entry page shows; listings defer them.
    LONG_TEXT_FIELDS = (
        "body",
        "abstract",
        "note",
        "other_variables",
        "annotation",
        "what_it_is",
        "who_implements",
        "costs_and_needs",
        "outcomes",
        "what_was_tried",
        "what_went_wrong",
        "what_was_learned",
    )
    # What a result card reads (depository.templatetags.depository.result_card; EntryQuerySet.for_cards).
    CARD_FIELDS = (
        "kind",
        "year",
        "evidence_level",
        "status",
        "language",
        "slug",
        "title",
        *(f"title_{language}" for language in Language),
        "summary",
        *(f"summary_{language}" for language in Language),
    )
    PRACTICE_CARD_FIELDS = ("what_it_is", "who_implements", "costs_and_needs", "outcomes")
    FAILURE_CARD_FIELDS = ("what_was_tried", "what_went_wrong", "what_was_learned")

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            # Years of publications: nothing before printed works (reprints of classics keep their
            # original year in `original_date`), nothing far in the future.
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1000, year__lte=2100), name="entry_year_plausible"
            ),
            # The day and the year of the document's own date agree (lists show the year).
            models.CheckConstraint(
                condition=Q(date_issued__isnull=True) | Q(year=ExtractYear("date_issued")),
                name="entry_date_issued_in_year",
            ),
            # A published entry always knows when it went public on the portal (ties of 'newest' sort on it).
            models.CheckConstraint(
                condition=~Q(status=EntryStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="entry_published_has_date",
            ),
            # Identifiers are stored normalised (depository/identifiers.py), so duplicates are found by
            # equality: a DOI in lower case with the 10. prefix, an ISBN-13 and an ISSN hyphenated.
            models.CheckConstraint(
                condition=Q(doi="") | (Q(doi__regex=r"^10\.[0-9]{4,9}(\.[0-9]+)*/\S+$") & Q(doi=Lower("doi"))),
                name="entry_doi_normalised",
            ),
            models.CheckConstraint(
                condition=Q(isbn="") | Q(isbn__regex=r"^97[89]-[0-9]+-[0-9]+-[0-9]+-[0-9]$"), name="entry_isbn_13"
            ),
            models.CheckConstraint(
                condition=Q(issn="") | Q(issn__regex=r"^[0-9]{4}-[0-9]{3}[0-9X]$"), name="entry_issn"
            ),
        ]
        indexes = [
            # Entries added to the portal in a period (the alert digests' window).
            models.Index(fields=["status", "-published_at"], name="entry_status_published_idx"),
            # The literature review and the feed filter published entries by kind.
            models.Index(fields=["kind", "status"], name="entry_kind_status_idx"),
            # The public browse page's sorts (newest, year, title) and the feed walk these in order,
            # keeping the rows of the filtered id array, and stop after one page.
            models.Index(
                *NEWEST_WORK_FIRST,
                F("id"),
                name="entry_published_newest_idx",
                condition=Q(status=EntryStatus.PUBLISHED),
            ),
            models.Index(
                F("year").desc(nulls_last=True),
                Lower("title"),
                F("id"),
                name="entry_published_year_idx",
                condition=Q(status=EntryStatus.PUBLISHED),
            ),
            models.Index(
                Lower("title"), F("id"), name="entry_published_title_idx", condition=Q(status=EntryStatus.PUBLISHED)
            ),
            # OAI-PMH harvests walk the entries ever published by datestamp (depository/oai/).
            models.Index(
                F("updated_at"), F("id"), name="entry_oai_datestamp_idx", condition=Q(published_at__isnull=False)
            ),
            # The reference-manager import finds duplicates by DOI.
            models.Index(fields=["doi"], name="entry_doi_idx", condition=~Q(doi="")),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("depository:entry", kwargs={"slug": self.slug})

    @property
    def work_type(self):
        """The CSL item type: `item_type`, or the one the kind implies when none was recorded."""
        return self.item_type or ItemType.for_kind(self.kind)

    @property
    def original_language(self):
        return self.language

    @property
    def issued(self):
        """The document's own date (Dublin Core "issued"), which lists, feeds and citations show: a
        `datetime.date`, the 1st of January of `year` when only the year is known, or None when
        neither is. When the entry was added to the portal is `published_at`."""
        if self.date_issued is not None:
            return self.date_issued
        if self.year is not None:
            return datetime.date(self.year, 1, 1)
        return None

    def clean(self):
        if self.date_issued is not None and self.year is None:
            self.year = self.date_issued.year
        if self.date_issued is not None and self.year != self.date_issued.year:
            raise ValidationError({"year": _("The year must be the year of the date issued.")})
        self.clean_identifiers()
        # The title and summary are the text in the entry's own language; a "translation" into it
        # would never be shown.
        own = [name for name in self.translation_field_names() if name.endswith(f"_{self.language}")]
        errors = {
            name: _("The entry is written in %(language)s: this text goes in the original field.")
            % {"language": self.get_language_display()}
            for name in own
            if getattr(self, name)
        }
        if errors:
            raise ValidationError(errors)

    @classmethod
    def translated_expression(cls, field_name, prefix=""):
        """The field in the active language: the original when the entry is written in it."""
        return Case(
            When(**{f"{prefix}language": active_language()}, then=F(f"{prefix}{field_name}")),
            default=super().translated_expression(field_name, prefix),
            output_field=models.TextField(),
        )

    @property
    def is_public(self):
        return self.status == EntryStatus.PUBLISHED

    def clean_identifiers(self):
        """Normalise the DOI, ISBN and ISSN (raising ValidationError on a bad one); a doi.org link gives the DOI."""
        errors = {}
        for name, normalise in (("doi", normalise_doi), ("isbn", normalise_isbn), ("issn", normalise_issn)):
            try:
                setattr(self, name, normalise(getattr(self, name)))
            except ValidationError as error:
                errors[name] = error
        if not self.doi and "doi" not in errors:
            self.doi = doi_from_url(self.external_url)
        if errors:
            raise ValidationError(errors)

    def creators_in_order(self):
        """The entry's creators (authors, then editors), in their order; served by a prefetch of
        `creators` (`depository.creators.creators_prefetch()`) without another query. Disclosure is not applied
        here: pages and exports go through `depository.creators.shown_creators(entry, viewer)`."""
        creators = sorted(self.creators.all(), key=lambda creator: (creator.position, creator.pk))
        return [c for c in creators if c.role == "author"] + [c for c in creators if c.role != "author"]

    @property
    def practice_card(self):
        """The practice card's filled-in fields, as (label, text) pairs, in the card's order."""
        return self._card(self.PRACTICE_CARD_FIELDS)

    @property
    def failure_card(self):
        return self._card(self.FAILURE_CARD_FIELDS)

    def _card(self, names):
        return [(self._meta.get_field(name).verbose_name, getattr(self, name)) for name in names if getattr(self, name)]


class GlossaryTerm(TranslatableContent):
    """A key term of the TWG, in English; organizers may translate it, its definition and notes."""

    term = models.CharField(_("term"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    definition = models.TextField(_("working definition"), blank=True)
    usage_notes = models.TextField(
        _("usage notes"), blank=True, help_text=_("How the urban safety and peacebuilding communities use the term.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    term_es = translation_field(_("term"), Language.SPANISH, max_length=120)
    term_fr = translation_field(_("term"), Language.FRENCH, max_length=120)
    term_ar = translation_field(_("term"), Language.ARABIC, max_length=120)
    definition_es = translation_field(_("working definition"), Language.SPANISH)
    definition_fr = translation_field(_("working definition"), Language.FRENCH)
    definition_ar = translation_field(_("working definition"), Language.ARABIC)
    usage_notes_es = translation_field(_("usage notes"), Language.SPANISH)
    usage_notes_fr = translation_field(_("usage notes"), Language.FRENCH)
    usage_notes_ar = translation_field(_("usage notes"), Language.ARABIC)

    TRANSLATED_FIELDS = ("term", "definition", "usage_notes")
    translated_term = Translated("term")
    translated_definition = Translated("definition")
    translated_usage_notes = Translated("usage_notes")

    class Meta:
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")
        ordering = ["position", "term"]

    def __str__(self):
        return self.term
