from django import template

from stakeholders import bidi

register = template.Library()


@register.filter
def isolate(value: object) -> str:
    """`{{ person.name|isolate }}`: the name in Unicode isolates (page titles)."""
    return bidi.isolate(str(value))
