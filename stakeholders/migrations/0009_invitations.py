# Invitations by email address (issue #14): only the token's SHA-256 hash is stored.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0008_change_over_time"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Invitation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.EmailField(max_length=254)),
                ("role", models.CharField(choices=[("viewer", "Viewer"), ("editor", "Editor"), ("owner", "Owner")], default="viewer", max_length=10)),
                ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                ("accepted_at", models.DateTimeField(blank=True, null=True)),
                ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                ("accepted_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("invited_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("workspace", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="invitations", to="stakeholders.workspace")),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["workspace", "expires_at"], name="stakeholder_workspa_9d374c_idx")],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("role__in", ["viewer", "editor", "owner"])), name="invitation_role_valid"),
                    models.CheckConstraint(condition=models.Q(("accepted_at__isnull", True), ("cancelled_at__isnull", True), _connector="OR"), name="invitation_not_accepted_and_cancelled"),
                ],
            },
        ),
    ]
