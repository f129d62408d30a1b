"""Figures in plain words for the analysis pages (issue #14)."""

from django import template

from stakeholders.analysis.explanations import than_others as _than_others

register = template.Library()


@register.filter
def than_others(share: float | None) -> str:
    """`more than {{ s.influence_percentile|than_others }}`: "96% of others on this map"."""
    return "" if share is None else _than_others(float(share))


@register.filter
def compared(share: float | None, word: str = "Higher") -> str:
    """`{{ s.openness_percentile|compared:"More open" }}`: "More open than 96% of others ..."."""
    if share is None:
        return ""
    if float(share) <= 0:
        no = "not" if word[:1].islower() else "Not"
        return f"{no} {word[:1].lower()}{word[1:]} than anyone else on this map"
    return f"{word} than {_than_others(float(share))}"
