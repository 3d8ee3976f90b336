from django.db.models import Model
from django.utils.text import slugify


def unique_slug(model: type[Model], text: str, *, max_length: int = 200, exclude_pk: int | None = None) -> str:
    """A slug for `text` not yet used by `model` (adds -2, -3... when it is)."""
    base = (slugify(text, allow_unicode=False) or "item")[: max_length - 8].strip("-") or "item"
    existing = model.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    taken = set(existing.values_list("slug", flat=True))
    slug, counter = base, 2
    while slug in taken:
        slug = f"{base}-{counter}"
        counter += 1
    return slug
