"""Who may see whose name: the one place that applies a person's disclosure level.

The rule (docs/meetings.md):

- public: everyone sees the name, the title held then and the organization;
- members: members and organizers see them; anybody else sees "one participant from <organization>";
- organizers: only organizers see them; anybody else sees "one participant", without the organization
  (for people whose organization alone would identify them) and without the title.

An organizer is as core/roles.py defines one; a member is a signed-in user
with a `members.Member` profile, found through the reverse one-to-one accessor `user.member` so that
this app never imports the members app. Every page that lists people goes through `Viewer`.
"""

from dataclasses import dataclass

from django.utils.functional import cached_property

from core.roles import is_organizer
from people.models import Disclosure


@dataclass(frozen=True)
class ShownPerson:
    """What a page may show of one person in one role: a name, or only 'one participant (from ...)'."""

    name: str
    title: str
    organization: object  # an Organization, or None when there is none or it must stay hidden
    named: bool
    slug: str = ""


class Viewer:
    """The visitor of a page, and what their standing lets them see."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def is_organizer(self):
        return is_organizer(self.user)

    @cached_property
    def is_member(self):
        user = self.user
        # RelatedObjectDoesNotExist is an AttributeError, so hasattr() is False for users without a profile.
        return self.is_organizer or bool(user.is_authenticated and hasattr(user, "member"))

    def may_name(self, person):
        if person.disclosure == Disclosure.PUBLIC or self.is_organizer:
            return True
        return person.disclosure == Disclosure.MEMBERS and self.is_member

    def may_show_organization_of(self, person):
        """Whether the person's organization may be shown (and counted on the network pages)."""
        return person.disclosure != Disclosure.ORGANIZERS or self.is_organizer

    @cached_property
    def hidden_levels(self):
        """Disclosure levels whose people count for nothing on the network pages (to filter in SQL)."""
        return [] if self.is_organizer else [Disclosure.ORGANIZERS]

    def show(self, person, *, title="", organization=None):
        """A person as this viewer may see them, with the title and organization they held then."""
        if self.may_name(person):
            return ShownPerson(name=person.name, title=title, organization=organization, named=True, slug=person.slug)
        if self.may_show_organization_of(person):
            return ShownPerson(name="", title="", organization=organization, named=False)
        return ShownPerson(name="", title="", organization=None, named=False)

    def show_participation(self, participation):
        return self.show(participation.person, title=participation.title, organization=participation.organization)

    def show_contribution(self, contribution):
        return self.show(contribution.person, title=contribution.title, organization=contribution.organization)
