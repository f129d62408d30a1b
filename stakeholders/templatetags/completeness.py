"""Completeness in templates: one organisation's row of surveys.reads.Completeness."""

from django import template

from stakeholders.surveys.reads import Completeness, OrganisationCompleteness

register = template.Library()


@register.filter
def completeness_of(
    completeness: Completeness | None, organisation_id: int | str
) -> OrganisationCompleteness | None:
    """`completeness|completeness_of:org.pk`: that organisation's row, or None (no people)."""
    if not completeness:
        return None
    return completeness.organisation(organisation_id)
