# Scores of a past date or of informal and formal ties are refreshed after edits while
# pages show them, and removed when nobody has looked for a while (issues #12, #18).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0010_map_pins"),
    ]

    operations = [
        migrations.AddField(
            model_name="scorerun",
            name="last_shown_on",
            field=models.DateField(blank=True, null=True),
        ),
    ]
