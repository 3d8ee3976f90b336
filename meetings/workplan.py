"""The work plan over time (issue 24): milestones grouped, and drawn as a timeline of planned against actual
dates. Pure functions over milestones already loaded; the view (meetings/views/workplan.py) loads them.

The timeline is SVG drawn on the server (no script), placed in percentages of its width so that it scales
to any screen without distorting text; the table beside it is the accessible equivalent (the drawing is
aria-hidden). In a right-to-left language time runs from right to left.

Grouping is a registry (`GROUPINGS`): each names a nullable attribute of a milestone holding the group it
belongs to (None: not in any group, listed last). A grouping by sub-group adds an entry whose attribute the
view's queryset fills (`prepare`), e.g. from a prefetch of the sub-groups a milestone belongs to.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from meetings.models import EvidenceStep, Milestone, MilestoneStanding


@dataclass(frozen=True)
class Grouping:
    name: str  # the query string's value (?by=step)
    label: str
    attribute: str  # a nullable attribute of each milestone: its group's key
    label_of: object = str  # the heading of a group, from its key
    other_label: str = _("Other milestones")
    prepare: object = None  # queryset -> queryset: loads what `attribute` reads (select/prefetch)


GROUPINGS = {
    "step": Grouping(
        name="step",
        label=_("By evidence-gathering step"),
        attribute="evidence_step",
        label_of=lambda key: EvidenceStep(key).label,
        other_label=_("Other milestones of the work plan"),
    ),
}
DEFAULT_GROUPING = "step"

# Sub-groups (issue 24, parts 1-2) are declared on a floor above this one, with a many-to-many to milestones
# whose related name is `subgroups`; this app reads it through that reverse accessor and never imports them.
SUB_GROUPS = Grouping(
    name="subgroup",
    label=_("By sub-group"),
    attribute="subgroup_list",
    label_of=str,
    other_label=_("Milestones of no sub-group"),
    prepare=lambda queryset: queryset.prefetch_related(Prefetch("subgroups", to_attr="subgroup_list")),
)


def available_groupings():
    """The groupings the page offers: by step always; by sub-group once sub-groups link to milestones."""
    groupings = dict(GROUPINGS)
    if any(relation.name == "subgroups" for relation in Milestone._meta.related_objects):
        groupings.setdefault(SUB_GROUPS.name, SUB_GROUPS)
    return groupings


@dataclass
class Group:
    key: object
    label: str
    rows: list = field(default_factory=list)


def group_milestones(milestones, grouping):
    """Milestones in groups by `grouping.attribute`, groups in key order, the ungrouped last; each group keeps
    the milestones' order. A value that is a list (a milestone in several sub-groups) puts it in each."""
    groups = {}
    for milestone in milestones:
        keys = getattr(milestone, grouping.attribute, None)
        for key in (keys or [None]) if isinstance(keys, list | tuple) else [keys]:
            groups.setdefault(key, []).append(milestone)
    ordered = sorted((key for key in groups if key is not None), key=sort_key)
    result = [Group(key=key, label=grouping.label_of(key), rows=groups[key]) for key in ordered]
    if None in groups:
        result.append(Group(key=None, label=grouping.other_label, rows=groups[None]))
    return result


def sort_key(key):
    return (getattr(key, "position", 0), str(key)) if not isinstance(key, int) else (key, "")


@dataclass(frozen=True)
class Scale:
    """Days to a position in percent of the drawing's width, over whole years around every date drawn."""

    first: datetime.date
    last: datetime.date
    rtl: bool = False

    @classmethod
    def around(cls, dates, *, rtl=False):
        dates = [day for day in dates if day is not None]
        if not dates:
            return None
        low, high = min(dates), max(dates)
        return cls(first=datetime.date(low.year, 1, 1), last=datetime.date(high.year + 1, 1, 1), rtl=rtl)

    def x(self, day):
        share = (day - self.first).days / (self.last - self.first).days * 100
        return 100 - share if self.rtl else share

    def span(self, start, end):
        """(left edge, width) of a bar from `start` to `end`, both in percent; at least a sliver wide."""
        left, right = sorted((self.x(start), self.x(end)))
        return left, max(right - left, 0.6)

    def ticks(self):
        """A line at the start of each year, and the year's label in its middle: every year, or every other
        one when there are more than eight (a phone's width)."""
        years = range(self.first.year, self.last.year)
        step = 1 if len(years) <= 8 else 2
        ticks = [
            {
                "x": pct(self.x(datetime.date(year, 1, 1))),
                "label_x": pct(self.x(datetime.date(year, 7, 2))),
                "label": str(year) if number % step == 0 else "",
            }
            for number, year in enumerate(years)
        ]
        return ticks + [{"x": pct(self.x(self.last)), "label_x": "", "label": ""}]


def pct(value):
    """A percentage for an SVG attribute: never localized (a comma would break it)."""
    return f"{value:.2f}%"


OPEN_ENDED = {MilestoneStanding.IN_PROGRESS, MilestoneStanding.LATE}


def bars(milestone, scale, today):
    """What the timeline draws for one milestone: the planned bar (or the due day's marker) and the actual
    bar (started to completed, or to today while it is under way) with a marker on completion."""
    drawn = {}
    if milestone.due_date:
        if milestone.start_date:
            left, width = scale.span(milestone.start_date, milestone.due_date)
            drawn["planned"] = {"x": pct(left), "width": pct(width)}
        drawn["due"] = {"x": pct(scale.x(milestone.due_date))}
    end = milestone.completed_on or (today if getattr(milestone, "standing", None) in OPEN_ENDED else None)
    if milestone.started_on and end:
        left, width = scale.span(milestone.started_on, end)
        drawn["actual"] = {"x": pct(left), "width": pct(width)}
    if milestone.completed_on:
        drawn["completed"] = {"x": pct(scale.x(milestone.completed_on))}
    return drawn


def timeline(groups, *, today, rtl=False):
    """The drawing's scale, ticks and today's line for every group, and each row's bars (`row.bars`)."""
    milestones = [milestone for group in groups for milestone in group.rows]
    dates = [today]
    for milestone in milestones:
        dates += [milestone.start_date, milestone.due_date, milestone.started_on, milestone.completed_on]
    scale = Scale.around(dates, rtl=rtl)
    for milestone in milestones:
        milestone.bars = bars(milestone, scale, today)
    return {"ticks": scale.ticks(), "today": pct(scale.x(today))}
