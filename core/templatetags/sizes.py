"""{% load sizes %}: {{ size|size_beside:limit }} and {{ limit|limit_beside:size }}, the texts of
core.sizes.size_and_limit for a message that compares a size with a limit."""

from django import template

from core.sizes import size_and_limit

register = template.Library()


@register.filter
def size_beside(size, limit):
    return size_and_limit(size, limit)["size"]


@register.filter
def limit_beside(limit, size):
    return size_and_limit(size, limit)["limit"]
