# Pins on the influence map (issue #13): an editor fixes a person or an organisation
# where they want it, and every layout keeps it there.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0009_invitations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MapPin",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("x", models.FloatField()),
                ("y", models.FloatField()),
                ("pinned_at", models.DateTimeField(auto_now=True)),
                ("organisation", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="map_pin", to="stakeholders.organisation")),
                ("person", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="map_pin", to="stakeholders.person")),
                ("pinned_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("workspace", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="map_pins", to="stakeholders.workspace")),
            ],
            options={
                "ordering": ["workspace", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("organisation__isnull", False), ("person__isnull", True)),
                            models.Q(("organisation__isnull", True), ("person__isnull", False)),
                            _connector="OR",
                        ),
                        name="mappin_person_or_organisation",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("x__gte", 0), ("x__lte", 1000), ("y__gte", 0), ("y__lte", 1000)),
                        name="mappin_inside_the_box",
                    ),
                ],
            },
        ),
    ]  # fmt: skip
