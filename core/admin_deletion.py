"""Delete confirmations that name what loses the deleted term, person or organization.

Django's confirmation lists the link rows a delete removes by their own names ("Entry_themes object
(3)") and does not list the rows that merely lose a link (on_delete=SET_NULL). `deleted_objects`
is Django's `django.contrib.admin.utils.get_deleted_objects` with two changes:

- a many-to-many link row (an auto-created through model, or one of taggit's TaggedItem rows) is
  shown as the record on its other side, linked to that record's admin page: "Entry: <title>, which
  loses this theme";
- records whose link to the deleted object is set to empty are listed too, after the rest.

The records on the other side are fetched with one query per kind (prefetch_related_objects), not
one per row.
"""

from django.contrib.admin.utils import NestedObjects, quote
from django.db import router
from django.db.models import prefetch_related_objects
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _


def holder_field(link_model, deleted_model):
    """The name of the field of a link row that points at the record on the other side, or None."""
    if link_model._meta.label == "taggit.TaggedItem":
        return "content_object"
    if not link_model._meta.auto_created:
        return None
    for field in link_model._meta.fields:
        if field.many_to_one and field.related_model is not deleted_model:
            return field.name
    return None


def prefetch_parents(model, rows):
    """Fetch the records `rows` must have (non-null foreign keys), one query per field: the names of
    such rows often name them ("Olga at the inception meeting")."""
    if rows:
        parents = [f.name for f in model._meta.fields if f.many_to_one and not f.null]
        if parents:
            prefetch_related_objects(rows, *parents)


def deleted_objects(objs, request, admin_site):
    """(to_delete, model_count, perms_needed, protected), as ModelAdmin.get_deleted_objects returns."""
    objs = list(objs)
    if not objs:
        return [], {}, set(), []
    deleted_model = objs[0].__class__
    collector = NestedObjects(using=router.db_for_write(deleted_model), origin=objs)
    collector.collect(objs)
    perms_needed = set()
    what = deleted_model._meta.verbose_name

    holders = {}
    for model, instances in collector.data.items():
        name = holder_field(model, deleted_model)
        if name:
            prefetch_related_objects(list(instances), name)
            holders[model] = name
        elif model is not deleted_model:
            prefetch_parents(model, list(instances))

    def link_to(obj, *, check_permission=True):
        opts = obj._meta
        if admin_site.is_registered(obj.__class__):
            if check_permission and not admin_site.get_model_admin(obj.__class__).has_delete_permission(request, obj):
                perms_needed.add(opts.verbose_name)
            try:
                url = reverse(f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
            except NoReverseMatch:
                return format_html("{}: {}", capfirst(opts.verbose_name), str(obj))
            return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, str(obj))
        return format_html("{}: {}", capfirst(opts.verbose_name), str(obj))

    def format_callback(obj):
        name = holders.get(obj.__class__)
        if name:
            holder = getattr(obj, name)
            if holder is None:
                return link_to(obj)
            # Deleting a link row needs no permission on the record that keeps existing.
            return format_html(
                _("{record}, which loses this {what}"), record=link_to(holder, check_permission=False), what=what
            )
        return link_to(obj)

    to_delete = collector.nested(format_callback)
    protected = [format_callback(obj) for obj in collector.protected]
    # The summary counts link rows under their own names ("Entry-theme relationships: 3").
    model_count = {model._meta.verbose_name_plural: len(rows) for model, rows in collector.model_objs.items()}
    for (field, _new_value), querysets in collector.field_updates.items():
        for queryset in querysets:
            rows = list(queryset)
            prefetch_parents(rows[0].__class__ if rows else None, rows)
            to_delete.extend(
                format_html(
                    _("{record}, which loses its {field}"),
                    record=link_to(row, check_permission=False),
                    field=field.verbose_name,
                )
                for row in rows
            )
    return to_delete, model_count, perms_needed, protected


class NamesWhatLosesItAdminMixin:
    """For the ModelAdmin of a term, person or organization: see `deleted_objects`."""

    def get_deleted_objects(self, objs, request):
        return deleted_objects(objs, request, self.admin_site)
