from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stakeholders"
    verbose_name = "Influence map"

    def ready(self) -> None:
        from stakeholders import sessions, signals  # noqa: F401  (connects the receivers)
