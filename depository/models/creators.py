"""The creators of an entry: ordered persons and organizations, each in a role (Dublin Core
`creator`/`contributor`, CSL `author`/`editor`).

A creator may be linked to a `people.Person`; then that person's disclosure level decides who sees
the name (`depository.creators.shown_creators`). People are a floor beneath the depository
(docs/architecture.md).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel
from depository.identifiers import normalise_orcid
from people.models import Person


class CreatorKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organization")


class CreatorRole(models.TextChoices):
    """CSL 1.0.2's name variables, every one (https://docs.citationstyles.org/en/stable/specification.html#name-variables):
    an imported record keeps each creator in the role it was given."""

    AUTHOR = "author", _("Author")
    EDITOR = "editor", _("Editor")
    TRANSLATOR = "translator", _("Translator")
    CONTAINER_AUTHOR = "container-author", _("Author of the book or container")
    COLLECTION_EDITOR = "collection-editor", _("Series editor")
    EDITORIAL_DIRECTOR = "editorial-director", _("Editorial director")
    ORIGINAL_AUTHOR = "original-author", _("Original author")
    REVIEWED_AUTHOR = "reviewed-author", _("Author of the reviewed work")
    INTERVIEWER = "interviewer", _("Interviewer")
    RECIPIENT = "recipient", _("Recipient")
    DIRECTOR = "director", _("Director")
    ILLUSTRATOR = "illustrator", _("Illustrator")
    COMPOSER = "composer", _("Composer")
    CONTRIBUTOR = "contributor", _("Contributor")
    CHAIR = "chair", _("Chair")
    COMPILER = "compiler", _("Compiler")
    CURATOR = "curator", _("Curator")
    EXECUTIVE_PRODUCER = "executive-producer", _("Executive producer")
    GUEST = "guest", _("Guest")
    HOST = "host", _("Host")
    NARRATOR = "narrator", _("Narrator")
    ORGANIZER = "organizer", _("Organizer")
    PERFORMER = "performer", _("Performer")
    PRODUCER = "producer", _("Producer")
    SCRIPT_WRITER = "script-writer", _("Script writer")
    SERIES_CREATOR = "series-creator", _("Series creator")


class Creator(CleanTextModel):
    entry = models.ForeignKey(
        "depository.Entry", verbose_name=_("entry"), on_delete=models.CASCADE, related_name="creators"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    role = models.CharField(_("role"), max_length=32, choices=CreatorRole.choices, default=CreatorRole.AUTHOR)
    kind = models.CharField(_("kind"), max_length=16, choices=CreatorKind.choices, default=CreatorKind.PERSON)
    family = models.CharField(_("family name"), max_length=200, blank=True)
    given = models.CharField(_("given names"), max_length=200, blank=True)
    name = models.CharField(
        _("organization name"), max_length=300, blank=True, help_text=_("For an organization: its name, in full.")
    )
    orcid = models.CharField(_("ORCID iD"), max_length=40, blank=True, help_text=_("e.g. 0000-0002-1825-0097"))
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="creatorships",
        help_text=_("Link a person the TWG knows: their disclosure level then decides who sees the name."),
    )

    class Meta:
        verbose_name = _("creator")
        verbose_name_plural = _("creators")
        ordering = ["position", "pk"]
        constraints = [
            # A person has a family name (CSL's minimum), an organization a name; never both kinds' fields.
            models.CheckConstraint(
                condition=(Q(kind=CreatorKind.PERSON) & ~Q(family="") & Q(name=""))
                | (Q(kind=CreatorKind.ORGANIZATION) & ~Q(name="") & Q(family="", given="", orcid="")),
                name="creator_person_or_organization",
            ),
        ]
        indexes = [
            # Every export and the entry page read an entry's creators in order.
            models.Index(fields=["entry", "position"], name="creator_entry_position_idx"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def is_person(self):
        return self.kind == CreatorKind.PERSON

    @property
    def display_name(self):
        """'Given Family' for a person, the name of an organization."""
        if self.is_person:
            return f"{self.given} {self.family}".strip()
        return self.name

    @property
    def inverted_name(self):
        """'Family, Given' for a person (citation_author, RIS AU, BibTeX), the name of an organization."""
        if self.is_person:
            return f"{self.family}, {self.given}" if self.given else self.family
        return self.name

    def clean(self):
        self.family, self.given, self.name = self.family.strip(), self.given.strip(), self.name.strip()
        errors = {}
        if self.is_person:
            if not self.family:
                errors["family"] = _("A person needs a family name.")
            if self.name:
                errors["name"] = _("Only an organization has a name here: use the family and given names.")
            try:
                self.orcid = normalise_orcid(self.orcid)
            except ValidationError as error:
                errors["orcid"] = error
        else:
            if not self.name:
                errors["name"] = _("An organization needs a name.")
            if self.family or self.given or self.orcid:
                errors["family"] = _("An organization has only a name.")
        if errors:
            raise ValidationError(errors)
