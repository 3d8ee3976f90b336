"""Meetings of the TWG, their programmes, who took part in them (people/ holds the people and
organizations themselves), the work plan and events."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.text import CleanTextModel
from depository.models import Entry, Theme
from people.models import Organization, Person
from places.models import City


class MeetingStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


# /meetings/calendar.ics, /meetings/workplan/, /meetings/organizations/ and /meetings/events/ come before
# the meeting slugs.
RESERVED_MEETING_SLUGS = {"calendar", "workplan", "organizations", "events"}


class MeetingStanding(models.TextChoices):
    """What the records say about a meeting on a given day (MeetingQuerySet.with_standing computes it).

    The rule (issue 15): a meeting whose dates have passed shows "Held" only where a report says so,
    otherwise "No record that it took place"; a proposal whose time has passed is "Not taken up (no
    record)". Nothing past is ever "Planned" or upcoming.
    """

    PROPOSED = "proposed", _("Proposed")
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")
    NO_RECORD = "no_record", _("No record that it took place")
    NOT_TAKEN_UP = "not_taken_up", _("Not taken up (no record)")


AHEAD = [MeetingStanding.PROPOSED, MeetingStanding.PLANNED]


def standing_expression(today):
    """The SQL CASE of MeetingStanding as of `today`, over `status` and an alias `last_day`."""
    return Case(
        When(status=MeetingStatus.HELD, then=Value(MeetingStanding.HELD)),
        When(status=MeetingStatus.CANCELLED, then=Value(MeetingStanding.CANCELLED)),
        When(status=MeetingStatus.PLANNED, last_day__lt=today, then=Value(MeetingStanding.NO_RECORD)),
        When(status=MeetingStatus.PROPOSED, last_day__lt=today, then=Value(MeetingStanding.NOT_TAKEN_UP)),
        default=F("status"),
        output_field=models.CharField(),
    )


class DatedEventQuerySet(models.QuerySet):
    def with_standing(self, today):
        """Annotate `standing` (a MeetingStanding value) as of `today` (a date), in SQL.

        The last day is the end date, else the start date; a proposal without dates lapses after
        `timing_ends`. A proposal with no date at all stays open: nothing says it lapsed.
        """
        return self.alias(last_day=Coalesce("end_date", "start_date", "timing_ends")).annotate(
            standing=standing_expression(today)
        )

    def dated(self):
        """Those a calendar can hold, in date order."""
        return self.select_related("city").filter(start_date__isnull=False).order_by("start_date", "name")


class DatedEvent(CleanTextModel):
    """What a meeting of the TWG and an event beside them share: a name and address, a status whose
    standing on a given day follows the meetings' rule (MeetingStanding), dates or a timing as stated,
    and a venue. Each declares its own `city` (City.meetings, City.events: a reverse name written as
    "%(class)ss" here would be a migration of its own)."""

    name = models.CharField(_("name"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PROPOSED)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    timing_note = models.CharField(
        _("timing"), max_length=120, blank=True, help_text=_("When no dates are known, e.g. 'Autumn 2015'.")
    )
    timing_ends = models.DateField(
        _("timing ends"),
        null=True,
        blank=True,
        help_text=_(
            "For a proposal without dates: the last day its stated timing covers (e.g. 21 December 2015 for "
            "'Autumn 2015'). After it, a proposal nobody took up is shown as not taken up."
        ),
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    # Registration (issue 24): members may register from the page while the window is open, both days
    # included, in the site's time zone. No closing day, no registration.
    registration_opens = models.DateField(
        _("registration opens"), null=True, blank=True, help_text=_("Empty: open as soon as a closing day is set.")
    )
    registration_closes = models.DateField(
        _("registration closes"),
        null=True,
        blank=True,
        help_text=_("The last day members can register from the page. Empty: no registration."),
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="%(class)s_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(registration_opens__isnull=True)
                | Q(registration_closes__isnull=True)
                | Q(registration_closes__gte=F("registration_opens")),
                name="%(class)s_registration_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return self.name

    def get_standing_display(self):
        """The label of the `standing` annotation (DatedEventQuerySet.with_standing); the status's without it."""
        standing = getattr(self, "standing", None)
        return MeetingStanding(standing).label if standing else self.get_status_display()

    def registration_is_open(self, today):
        """Whether members may register on `today` (a date): a closing day not passed, an opening day (if
        any) reached, and the meeting neither held nor cancelled."""
        if self.registration_closes is None or self.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
            return False
        return (self.registration_opens is None or self.registration_opens <= today) and today <= (
            self.registration_closes
        )


class MeetingQuerySet(DatedEventQuerySet):
    def listed(self, today):
        return self.select_related("city").with_standing(today).order_by(F("start_date").desc(nulls_first=True), "name")

    def upcoming(self, today):
        """The timeline's upper part: meetings and proposals still ahead, soonest first; undated last."""
        return (
            self.select_related("city")
            .with_standing(today)
            .filter(standing__in=AHEAD)
            .order_by(F("start_date").asc(nulls_last=True), "name")
        )

    def past(self, today):
        """The timeline's lower part: everything else, newest first (lapsed proposals by their timing)."""
        return (
            self.select_related("city")
            .with_standing(today)
            .exclude(standing__in=AHEAD)
            .order_by(Coalesce("start_date", "timing_ends").desc(nulls_last=True), "name")
        )

    def most_recent(self, count, *, today):
        """The first `count` of `listed(today)` (the home page's list): undated proposals, then the
        newest. Not Django's `latest(field)`, which returns one object."""
        return self.listed(today)[:count]


class Meeting(DatedEvent):
    number = models.PositiveSmallIntegerField(
        _("number"), null=True, blank=True, help_text=_("0 for the inception meeting; empty for proposals.")
    )
    # A new meeting is usually entered once it is planned (an event, from a report that proposes it).
    status = models.CharField(_("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    city = models.ForeignKey(
        City, verbose_name=_("city"), null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    part_of = models.CharField(
        _("part of"), max_length=300, blank=True, help_text=_("A larger event the meeting was held within.")
    )
    hosts = models.ManyToManyField(
        Organization,
        verbose_name=_("hosts and co-facilitators"),
        blank=True,
        related_name="hosted_meetings",
    )
    objectives = models.TextField(_("objectives"), blank=True)
    key_points = models.TextField(_("key points and outcomes"), blank=True)
    report = models.ForeignKey(
        Entry,
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_meetings",
        help_text=_("The meeting's report, as a depository entry."),
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="meetings")
    related_entries = models.ManyToManyField(
        Entry, verbose_name=_("related entries"), blank=True, related_name="meetings"
    )
    other_cities_represented = models.ManyToManyField(
        City,
        verbose_name=_("other cities represented"),
        blank=True,
        related_name="meetings_represented_at",
        help_text=_("Cities whose representatives joined without being on the participant list."),
    )

    objects = MeetingQuerySet.as_manager()

    class Meta(DatedEvent.Meta):
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = [F("start_date").desc(nulls_first=True), "name"]
        constraints = [
            *DatedEvent.Meta.constraints,
            # A meeting that was held or is planned has a date; only proposals may lack one.
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "cancelled"]) | Q(start_date__isnull=False),
                name="meeting_dated_unless_proposed",
            ),
        ]

    def get_absolute_url(self):
        return reverse("meetings:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.slug in RESERVED_MEETING_SLUGS:
            raise ValidationError(
                {"slug": _("“%(slug)s” is the address of another page; choose another slug.") % {"slug": self.slug}}
            )


class SessionKind(models.TextChoices):
    OPENING = "opening", _("Opening")
    DISCUSSION = "discussion", _("Discussion")
    FOCUS = "focus", _("Focus session")
    WORKING = "working", _("Working session")
    BREAK = "break", _("Break")
    CLOSING = "closing", _("Closing")


class ProgrammeSession(CleanTextModel):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("day"), null=True, blank=True)
    start_time = models.TimeField(_("starts"), null=True, blank=True)
    end_time = models.TimeField(_("ends"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices, default=SessionKind.DISCUSSION)
    description = models.TextField(_("description"), blank=True)
    contributors = models.ManyToManyField(
        Person, through="SessionContribution", verbose_name=_("contributors"), related_name="sessions"
    )

    class Meta:
        verbose_name = _("programme session")
        verbose_name_plural = _("programme sessions")
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(start_time__isnull=True) | Q(end_time__gt=F("start_time")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def contributions_in(self, role):
        # Reads the prefetched contributions, so listing a programme costs no query per session.
        return [c for c in self.contributions.all() if c.role == role]

    @property
    def kickoff_presenters(self):
        return self.contributions_in(SessionRole.KICKOFF_PRESENTER)

    @property
    def facilitators(self):
        return self.contributions_in(SessionRole.FACILITATOR)

    @property
    def rapporteurs(self):
        return self.contributions_in(SessionRole.RAPPORTEUR)

    @property
    def speakers(self):
        return self.contributions_in(SessionRole.SPEAKER)


class SessionRole(models.TextChoices):
    SPEAKER = "speaker", _("Speaker")
    KICKOFF_PRESENTER = "kickoff_presenter", _("Kick-off presenter")
    FACILITATOR = "facilitator", _("Facilitator")
    RAPPORTEUR = "rapporteur", _("Rapporteur")


class SessionContribution(CleanTextModel):
    """A person's part in a programme session, with the title the programme gives them."""

    session = models.ForeignKey(
        ProgrammeSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="contributions"
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="contributions")
    role = models.CharField(_("role"), max_length=20, choices=SessionRole.choices)
    title = models.CharField(_("title"), max_length=400, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.SET_NULL
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("session contribution")
        verbose_name_plural = _("session contributions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person", "role"], name="contribution_unique_per_role"),
        ]

    def __str__(self):
        # Names the session too: a person's delete confirmation lists their contributions.
        return f"{self.person} ({self.get_role_display()}), {self.session}"


class ParticipationRole(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    RAPPORTEUR = "rapporteur", _("Rapporteur")
    FACILITATOR = "facilitator", _("Facilitator")
    KICKOFF_PRESENTER = "kickoff_presenter", _("Kick-off presenter")
    ORGANIZER = "organizer", _("Organizer")


class Participation(CleanTextModel):
    """A person on a meeting's list of participants, with the title and organization they held then."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="participations"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="participations"
    )
    title = models.CharField(_("title then"), max_length=400, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization then"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participations",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=ParticipationRole.choices, default=ParticipationRole.PARTICIPANT
    )
    position = models.PositiveSmallIntegerField(_("position in the list"), default=0)
    # Where the list places the person then ("Ideaborn, Bogota" in 2015; Barcelona in 2014): an
    # organization has one city, its people come from many. The city pages list them (issue 22).
    city = models.ForeignKey(
        City,
        verbose_name=_("city then"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participations",
        help_text=_("Where the meeting's list places the person, if it says; else their organization's city counts."),
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "meeting"], name="participation_once_per_meeting"),
        ]

    def __str__(self):
        return f"{self.person} at {self.meeting}"


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class MilestoneStanding(models.TextChoices):
    """Where a milestone stands on a given day (MilestoneQuerySet.for_workplan computes it from its status
    and dates). Late only while an organizer tracks it; an untracked item whose due date has passed shows
    "No review since it was due" rather than a deadline nobody is watching (issue 15's rule for meetings)."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    LATE = "late", _("Late")
    DROPPED = "dropped", _("Dropped")
    NO_RECORD = "no_record", _("No review since it was due")


class EvidenceStep(models.IntegerChoices):
    """The four steps of evidence gathering the inception meeting agreed (the work plan's items 5-8)."""

    CONFLUENCE = 1, _("Step 1: the meaning of the confluence of urban safety and peacebuilding")
    LITERATURE = 2, _("Step 2: annotated literature review and screening of practice")
    SCENARIOS = 3, _("Step 3: perspectives on scenarios and typologies")
    DEPOSITORY = 4, _("Step 4: an online depository of tools and mechanisms")


def milestone_standing_expression(today):
    """The SQL CASE of MilestoneStanding as of `today`."""
    return Case(
        When(status=MilestoneStatus.DONE, then=Value(MilestoneStanding.DONE)),
        When(status=MilestoneStatus.DROPPED, then=Value(MilestoneStanding.DROPPED)),
        When(tracked=True, due_date__lt=today, then=Value(MilestoneStanding.LATE)),
        When(tracked=False, due_date__lt=today, then=Value(MilestoneStanding.NO_RECORD)),
        When(status=MilestoneStatus.IN_PROGRESS, then=Value(MilestoneStanding.IN_PROGRESS)),
        When(started_on__lte=today, then=Value(MilestoneStanding.IN_PROGRESS)),
        default=Value(MilestoneStanding.PLANNED),
        output_field=models.CharField(),
    )


class MilestoneQuerySet(models.QuerySet):
    def for_workplan(self, today):
        """In date order, with `standing` (a MilestoneStanding value) and `is_overdue` computed in SQL as of
        `today` (a date).

        Overdue (late) only for an item an organizer still tracks (`tracked`), due before today and neither
        done nor dropped: a status taken from a 2014 report is not a deadline anyone is missing.
        """
        return (
            self.select_related("responsible_organization", "meeting")
            .annotate(standing=milestone_standing_expression(today))
            .annotate(is_overdue=Case(When(standing=MilestoneStanding.LATE, then=Value(True)), default=Value(False)))
            .order_by(F("due_date").asc(nulls_last=True), "position", "id")
        )


class Milestone(CleanTextModel):
    """An item of the TWG's work plan."""

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(
        _("planned start"), null=True, blank=True, help_text=_("When work on it is planned to begin, if stated.")
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    started_on = models.DateField(_("actually started"), null=True, blank=True)
    completed_on = models.DateField(_("actually completed"), null=True, blank=True)
    evidence_step = models.PositiveSmallIntegerField(
        _("evidence-gathering step"),
        choices=EvidenceStep.choices,
        null=True,
        blank=True,
        help_text=_("The step of evidence gathering it belongs to; the work plan groups milestones by it."),
    )
    due_note = models.CharField(_("timing as stated"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    responsible_organization = models.ForeignKey(
        Organization,
        verbose_name=_("responsible organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("linked meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
    )
    status_reviewed_on = models.DateField(
        _("status last reviewed"),
        null=True,
        blank=True,
        help_text=_("The day the status was last checked; the admin sets it when an organizer changes the status."),
    )
    status_reviewed_by = models.CharField(
        _("status reviewed by"),
        max_length=200,
        blank=True,
        help_text=_("Who last checked the status: an organizer, or the report it is taken from."),
    )
    tracked = models.BooleanField(
        _("tracked by an organizer"),
        default=False,
        help_text=_("Only a tracked item past its due date is shown as overdue."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = [F("due_date").asc(nulls_last=True), "position"]
        constraints = [
            # The timeline draws a bar from the start to the due date, and another from started to completed.
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(due_date__isnull=True) | Q(due_date__gte=F("start_date")),
                name="milestone_due_after_planned_start",
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(completed_on__isnull=True)
                | Q(completed_on__gte=F("started_on")),
                name="milestone_completed_after_started",
            ),
        ]

    def __str__(self):
        return self.title

    def get_standing_display(self):
        """The label of the `standing` annotation (MilestoneQuerySet.for_workplan); the status's without it."""
        standing = getattr(self, "standing", None)
        return MilestoneStanding(standing).label if standing else self.get_status_display()


class EventKind(models.TextChoices):
    COURSE = "course", _("Course")
    TRAINING = "training", _("Training")
    SIDE_EVENT = "side_event", _("Side event")
    EXTERNAL_MEETING = "external_meeting", _("Meeting of others")


class EventQuerySet(DatedEventQuerySet):
    def listed(self, today):
        return self.select_related("city").with_standing(today)


class Event(DatedEvent):
    """A course, training or event beside the TWG's own meetings (issue 15): only what the reports state;
    unknown dates and places stay empty and show as not known."""

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    city = models.ForeignKey(
        City, verbose_name=_("city"), null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    online = models.BooleanField(_("online"), default=False)
    organizers = models.ManyToManyField(
        Organization, verbose_name=_("organizers"), blank=True, related_name="organized_events"
    )
    organizer_note = models.CharField(
        _("organizers as stated"), max_length=300, blank=True, help_text=_("Organizers the records do not hold.")
    )
    audience = models.CharField(_("audience"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True, help_text=_("The report that states it."))
    interested = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members interested"), blank=True, related_name="events_of_interest"
    )

    objects = EventQuerySet.as_manager()

    class Meta(DatedEvent.Meta):
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = [F("start_date").asc(nulls_last=True), "name"]

    def get_absolute_url(self):
        return reverse("meetings:event", kwargs={"slug": self.slug})


# The progress reviews and the registrations live in modules of their own; imported here so that Django
# finds them and `from meetings.models import ...` reaches every model of the app.
from meetings.models.registrations import Registration as Registration  # noqa: E402
from meetings.models.registrations import RegistrationStatus as RegistrationStatus  # noqa: E402
from meetings.models.registrations import SupportStatus as SupportStatus  # noqa: E402
from meetings.models.reviews import MilestoneChange as MilestoneChange  # noqa: E402
from meetings.models.reviews import ProgressReview as ProgressReview  # noqa: E402
