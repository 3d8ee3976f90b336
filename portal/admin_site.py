"""The organizers' admin: a start page saying what waits, and the models grouped by task.

`PortalAdminSite` replaces Django's default site (portal.apps.PortalAdminConfig), so every
`@admin.register` and every admin URL stays as it was. docs/admin.md describes the start page.
"""

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import attention

RECENT_CHANGES = 15

# Groups of the start page and the sidebar, in this order. A model of a portal app goes to its app's
# group unless listed in TECHNICAL; a model of any other app goes to "Site" unless listed in TECHNICAL.
GROUPS = [
    ("depository", _("Depository")),
    ("meetings", _("Meetings")),
    ("members", _("Members")),
    ("site", _("Site")),
    ("technical", _("Technical")),
]
# People and places are floors of their own in the code (docs/architecture.md); organizers find
# cities with the depository's vocabularies and people and organizations with the meetings, as before.
APP_GROUPS = {
    "depository": "depository",
    "places": "depository",
    "meetings": "meetings",
    "people": "meetings",
    "members": "members",
}
# Plumbing: tag rows (edited through the entries' tag field), participations (edited inline in their
# meeting), the task queue's rows, the login lockout's logs. Reachable, folded at the end.
TECHNICAL = {
    ("taggit", "tag"),
    ("taggit", "taggeditem"),
    ("meetings", "participation"),
    ("django_tasks_database", "dbtaskresult"),
    ("axes", "accesslog"),
    ("axes", "accessfailurelog"),
}
# Within a group, the models an organizer opens most come first; the rest follow by name.
MODEL_ORDER = [
    "entry",
    "attachment",
    "theme",
    "citytype",
    "violencetype",
    "city",
    "glossaryterm",
    "meeting",
    "programmesession",
    "person",
    "organization",
    "milestone",
    "inputpaper",
    "question",
    "answer",
    "member",
    "invitation",
    "monthlyusage",
    "user",
    "group",
]


def group_of(app_label, model_name):
    if (app_label, model_name) in TECHNICAL:
        return "technical"
    return APP_GROUPS.get(app_label, "site")


class PortalAdminSite(admin.AdminSite):
    site_header = _("TWG Portal administration")
    site_title = _("TWG Portal")
    index_title = _("What waits for you")
    site_url = "/"
    index_template = "admin/portal_index.html"

    def get_app_list(self, request, app_label=None):
        """The whole list (index, sidebar) comes in task groups; one app's page keeps Django's list.

        Each group is shaped like one of Django's app dicts (name, app_label, app_url, models), its
        app_url pointing at the group on the start page."""
        if app_label is not None:
            return super().get_app_list(request, app_label)
        models = [model for app in self._build_app_dict(request).values() for model in app["models"]]
        index_url = reverse("admin:index", current_app=self.name)
        groups = {
            key: {"name": name, "app_label": key, "app_url": f"{index_url}#group-{key}", "models": []}
            for key, name in GROUPS
        }
        for model in models:
            opts = model["model"]._meta
            groups[group_of(opts.app_label, opts.model_name)]["models"].append(model)
        position = {name: number for number, name in enumerate(MODEL_ORDER)}
        for group in groups.values():
            group["models"].sort(
                key=lambda m: (position.get(m["model"]._meta.model_name, len(position)), str(m["name"]))
            )
        return [group for group in groups.values() if group["models"]]

    def index(self, request, extra_context=None):
        """The start page: what waits (counts linking to filtered lists), recent changes by whom,
        then the model groups. Ten queries whatever waits: the session, the user, their own and
        their groups' permissions, one aggregate per model counted (four), the broken links, the
        recent changes."""
        broken_links, broken_count = attention.broken_links(request.user)
        context = {
            "waiting": attention.waiting_counts(request.user),
            "broken_links": broken_links,
            "broken_links_count": broken_count,
            "recent_changes": self.recent_changes(request),
            **(extra_context or {}),
        }
        return super().index(request, extra_context=context)

    def recent_changes(self, request):
        """The latest admin changes by anyone, on the models `request.user` may view: an object's
        name (a person's, say) is shown only to those who may see that object."""
        viewable = Q(pk__in=[])
        for model, model_admin in self._registry.items():
            if model_admin.has_view_permission(request):
                viewable |= Q(content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name)
        return list(self.get_log_entries(request).filter(viewable).order_by("-action_time")[:RECENT_CHANGES])

    def add_attention_filters(self):
        """Give each counted model's changelist the "Needs attention" filter the start page links to.

        Done here, not in the apps' admin modules, so that the depository's admin does not import
        the members app (the depository imports no other app of the portal)."""
        for model in dict.fromkeys(item.model for item in attention.WAITING):
            model_admin = self._registry.get(model)
            if model_admin is not None:
                model_admin.list_filter = [attention.attention_filter(model), *model_admin.list_filter]
