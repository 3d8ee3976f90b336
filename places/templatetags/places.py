from django import template

from places.countries import country_name

register = template.Library()


@register.filter(name="country")
def country_filter(english_name):
    """{{ city.country|country }}: the country's name in the visitor's language."""
    return country_name(english_name)
