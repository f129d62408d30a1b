# Change over time (issue #12): relationship start and end dates (empty: in force
# throughout, so existing ties keep counting), score runs as of a date, snapshots.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import stakeholders.models

RUN_STATUSES = [
    ("queued", "Queued"),
    ("running", "Running"),
    ("succeeded", "Succeeded"),
    ("failed", "Failed"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0007_forums"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="relationship",
            name="start_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="relationship",
            name="end_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalrelationship",
            name="start_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalrelationship",
            name="end_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="relationship",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("start_date__isnull", True),
                    ("end_date__isnull", True),
                    ("end_date__gte", models.F("start_date")),
                    _connector="OR",
                ),
                name="relationship_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
        ),
        migrations.AddField(
            model_name="scorerun",
            name="as_of",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="Snapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("as_of", models.DateField(help_text="The map as it was on this date.")),
                (
                    "status",
                    models.CharField(choices=RUN_STATUSES, default="queued", max_length=10),
                ),
                (
                    "fingerprint",
                    models.CharField(
                        blank=True,
                        help_text="SHA-256 of the data the scores were computed from.",
                        max_length=64,
                    ),
                ),
                ("error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "run",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="snapshot",
                        to="stakeholders.scorerun",
                    ),
                ),
                (
                    "taken_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="snapshots",
                        to="stakeholders.workspace",
                    ),
                ),
            ],
            options={"ordering": ["-as_of", "-created_at", "-pk"]},
            bases=(stakeholders.models.CleanText, models.Model),
        ),
        migrations.AddConstraint(
            model_name="snapshot",
            constraint=models.UniqueConstraint(
                fields=("workspace", "name"),
                name="snapshot_unique_name",
                violation_error_message="A snapshot with this name already exists here.",
            ),
        ),
        migrations.AddConstraint(
            model_name="snapshot",
            constraint=models.CheckConstraint(
                condition=models.Q(("name", ""), _negated=True), name="snapshot_name_not_blank"
            ),
        ),
        migrations.AddConstraint(
            model_name="snapshot",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["queued", "running", "succeeded", "failed"])),
                name="snapshot_status_valid",
            ),
        ),
    ]
