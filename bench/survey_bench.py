"""A 300-person survey with 250 responses: its answers imported in one transaction.

Run by `make bench` in a fresh process on a seeded 300-person workspace. Each of
250 people names about ten others (two questions, strength and trust); the
answers are saved as drafts, marked submitted, then `survey_answers_apply` turns
them all into ties in one transaction (target under 5 s). Beside it, the same
answers written the plain way (one full_clean() and save() per tie) on a copy of
the data, rolled back, with the ratio printed.
"""

import random
import statistics
import sys
import time


def _answers(survey, people, rng):
    from stakeholders.models import RelationshipKind
    from stakeholders.surveys.services import AnswerInput

    kinds = [RelationshipKind.COLLABORATES, RelationshipKind.TRUSTS]
    answers = {}
    for person in people[:250]:
        named = rng.sample([p for p in people if p.pk != person.pk], 10)
        answers[person.pk] = [
            AnswerInput(kinds[i % 2], other.pk, strength=rng.randint(1, 5), trust=rng.randint(1, 5))
            for i, other in enumerate(named)
        ]
    return answers


def time_survey(slug: str) -> str:
    """The import timed beside a plain per-tie version; returns the lines to print."""
    import datetime

    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from stakeholders.models import Person, Relationship, ResponseStatus, Workspace
    from stakeholders.surveys.services import (
        DEFAULT_WORDING,
        response_consent,
        response_save,
        survey_answers_apply,
        survey_create,
    )

    workspace = Workspace.objects.get(slug=slug)
    people = list(Person.objects.filter(workspace=workspace, active=True).order_by("pk")[:300])
    rng = random.Random(1)
    questions = [(kind, DEFAULT_WORDING[kind]) for kind in ("collaborates", "trusts")]
    survey = survey_create(
        workspace=workspace, user=None, title="Bench survey", introduction="i",
        privacy_notice="p", closes_at=timezone.now() + datetime.timedelta(days=7),
        questions=questions, people=people,
    )  # fmt: skip
    answers = _answers(survey, people, rng)
    drafts = []
    for response in survey.responses.select_related("person", "survey"):
        if response.person_id not in answers:
            continue
        response_consent(response=response, consent=True)
        started = time.perf_counter()
        response_save(response=response, answers=answers[response.person_id])
        drafts.append(time.perf_counter() - started)
    survey.responses.filter(person_id__in=answers).update(status=ResponseStatus.SUBMITTED)
    count = sum(len(a) for a in answers.values())

    def plain() -> float:
        started = time.perf_counter()
        with transaction.atomic():
            ties = {
                (t.source_id, t.target_id, t.kind): t
                for t in Relationship.objects.filter(source__workspace=workspace)
            }
            for source, items in answers.items():
                for item in items:
                    tie = ties.get((source, item.target_id, item.kind)) or Relationship(
                        source_id=source, target_id=item.target_id, kind=item.kind
                    )
                    tie.strength, tie.trust = item.strength, item.trust
                    tie.provenance, tie.survey = "reported", survey
                    tie.full_clean()
                    tie.save()
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return elapsed

    baseline = plain()
    started = time.perf_counter()
    written = survey_answers_apply(survey=survey)
    ours = time.perf_counter() - started
    return (
        f"Survey import, 300 people, 250 responses, {count} answers ({written} ties written): "
        f"{ours:.2f} s in one transaction (target under 5 s); plain per-tie save "
        f"{baseline:.2f} s, {baseline / ours:.1f}x faster; saving one response's draft "
        f"{1000 * statistics.median(drafts):.0f} ms median\n"
    )


if __name__ == "__main__":
    print(time_survey(sys.argv[1]), end="")
