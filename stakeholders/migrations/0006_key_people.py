import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0005_trust_and_safety"),
    ]

    operations = [
        migrations.AddField(
            model_name="scorerun",
            name="key_people",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="personscore",
            name="fragmentation_if_leaves",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="personscore",
            name="distance_fragmentation_if_leaves",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="personscore",
            name="pairs_disconnected_if_leaves",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="personscore",
            name="pairs_distant_if_leaves",
            field=models.JSONField(default=list),
        ),
        migrations.CreateModel(
            name="WhatIf",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("people", models.JSONField(help_text="Sorted ids of the people who leave.")),
                ("key", models.CharField(help_text="SHA-256 of the sorted ids.", max_length=64)),
                ("status", models.CharField(choices=[("queued", "Queued"), ("running", "Running"), ("succeeded", "Succeeded"), ("failed", "Failed")], default="queued", max_length=10)),
                ("result", models.JSONField(blank=True, default=dict)),
                ("error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("run", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="what_ifs", to="stakeholders.scorerun")),
                ("workspace", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="what_ifs", to="stakeholders.workspace")),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "constraints": [models.UniqueConstraint(fields=("run", "key"), name="whatif_unique_run_key")],
            },
        ),
    ]
