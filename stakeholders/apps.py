import gc

from django.apps import AppConfig

# The collector's youngest generation is examined every GC_YOUNG allocations
# (Python's default is 2,000). At 20,000 people one map or Seats and influence
# request reads some 150,000 rows as tuples, none of them in a reference cycle:
# at the default the collector ran about 75 times over them in each request,
# some 30 ms of 340. The older generations keep their default thresholds.
GC_YOUNG = 10_000


class StakeholdersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stakeholders"
    verbose_name = "Influence map"

    def ready(self) -> None:
        from stakeholders import sessions, signals  # noqa: F401  (connects the receivers)

        gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
