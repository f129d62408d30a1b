"""The data model: one workspace per local system; every other row belongs to one."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from stakeholders.text import text_problem


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    OWNER = "owner", "Owner"


class Tier(models.TextChoices):
    NATIONAL = "national", "National"
    REGIONAL = "regional", "Regional"
    SYSTEM = "system", "System"
    PLACE = "place", "Place"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"


class Sector(models.TextChoices):
    NHS = "nhs", "NHS"
    LOCAL_GOVERNMENT = "local_government", "Local government"
    SOCIAL_CARE = "social_care", "Social care provider"
    VCSE = "vcse", "Voluntary and community sector (VCSE)"
    NATIONAL_BODY = "national_body", "National body"
    OTHER = "other", "Other"


class OrganisationKind(models.TextChoices):
    ACUTE_TRUST = "acute_trust", "Acute trust"
    MENTAL_HEALTH_TRUST = "mental_health_trust", "Mental health trust"
    COMMUNITY_TRUST = "community_trust", "Community trust"
    AMBULANCE_TRUST = "ambulance_trust", "Ambulance trust"
    ICB = "icb", "Integrated care board (ICB)"
    PCN = "pcn", "Primary care network (PCN)"
    GP_PRACTICE = "gp_practice", "GP practice"
    NHS_ENGLAND = "nhs_england", "NHS England"
    COUNTY_COUNCIL = "county_council", "County council"
    DISTRICT_COUNCIL = "district_council", "District council"
    UNITARY_COUNCIL = "unitary_council", "Unitary council"
    PUBLIC_HEALTH = "public_health", "Public health"
    VCSE = "vcse", "Voluntary or community organisation (VCSE)"
    HEALTHWATCH = "healthwatch", "Healthwatch"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"
    UNIVERSITY = "university", "University"
    OTHER = "other", "Other"


class Seniority(models.TextChoices):
    FRONTLINE = "frontline", "Frontline"
    MANAGER = "manager", "Manager"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    DIRECTOR = "director", "Director"
    EXECUTIVE = "executive", "Executive"
    BOARD = "board", "Board or elected leader"


# Seniority is ordinal: frontline (0) up to board (5).
SENIORITY_RANK = {code: rank for rank, code in enumerate(Seniority.values)}


class RelationshipKind(models.TextChoices):
    COLLABORATES = "collaborates", "Collaborates with"
    TRUSTS = "trusts", "Trusts"
    REPORTS_TO = "reports_to", "Reports to"
    INFLUENCES = "influences", "Influences"


def _in_choices(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


class CleanText:
    """Every text field refuses characters XML cannot hold (stakeholders.text).

    Checked in clean_fields, so the admin, every model form and every full_clean()
    refuse them beside the field, without a validator in the migrations.
    """

    def clean_fields(self, exclude=None) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if (
                not isinstance(field, models.CharField | models.TextField)
                or field.name in (exclude or ())
                or field.name in errors
            ):
                continue
            value = getattr(self, field.attname)
            if isinstance(value, str) and (problem := text_problem(value)) is not None:
                errors[field.name] = [ValidationError(problem, code="control_character")]
        if errors:
            raise ValidationError(errors)


class WorkspaceLink:
    """A row that belongs to a workspace through a foreign key (`workspace_link`): an
    affiliation through its person, a tie through its source, a seat through its forum.

    The row remembers the key it was loaded (or last saved) with, as Django does not,
    so that a save that leaves the key alone is known not to move the row to another
    workspace without a query (stakeholders.signals.link_moved_away).
    """

    workspace_link: str

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        attname = cls._meta.get_field(cls.workspace_link).attname
        instance.loaded_workspace_link = instance.__dict__.get(attname)  # None: not loaded
        return instance

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        link = self._meta.get_field(self.workspace_link)
        written = kwargs.get("update_fields")
        if written is None or {link.name, link.attname} & set(written):
            self.loaded_workspace_link = getattr(self, link.attname)


class Workspace(CleanText, models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retention_months = models.PositiveSmallIntegerField(
        "retention (months)",
        null=True,
        blank=True,
        default=24,
        help_text=(
            "Ties not observed for this many months are flagged as stale on the map and in "
            "exports. Leave empty to never flag ties as stale."
        ),
    )
    # A new value once each change to the data the analysis reads commits
    # (services.workspace_data_changed): what stakeholders.memo keeps is keyed by it.
    data_stamp = models.UUIDField(default=uuid.uuid4, editable=False)

    history = HistoricalRecords(excluded_fields=["data_stamp"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(retention_months__isnull=True)
                | Q(retention_months__gte=1, retention_months__lte=240),
                name="workspace_retention_months_range",
                violation_error_message="Retention must be between 1 and 240 months, or empty.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The data stamp moves only by services.data_stamp_move: saving a copy loaded
        # before a change must not put the stamp of older data back.
        # Only an update of a stored row: a row being added, or given pk None to be added
        # afresh, keeps its stamp; fields not loaded stay unwritten, as Django's own save
        # leaves them.
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "data_stamp" and f.attname not in deferred
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("stakeholders:overview", kwargs={"slug": self.slug})


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)

    history = HistoricalRecords()

    class Meta:
        ordering = ["workspace", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace"], name="membership_unique_user_workspace"
            ),
            models.CheckConstraint(
                condition=_in_choices("role", Role), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.get_role_display()})"

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.EDITOR, Role.OWNER)


class Invitation(models.Model):
    """An owner's invitation to an email address to join a workspace with a role.

    The emailed link carries a random token; only its SHA-256 hash is stored, so the
    database never holds a working link. A link works once, until `expires_at`;
    resending replaces the hash (the old link stops working) and the expiry.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=_in_choices("role", Role), name="invitation_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(cancelled_at__isnull=True),
                name="invitation_not_accepted_and_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.workspace} ({self.get_role_display()})"


class Organisation(CleanText, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    sector = models.CharField(max_length=30, choices=Sector.choices)
    tier = models.CharField(max_length=20, choices=Tier.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    ods_code = models.CharField(
        "ODS code",
        max_length=12,
        blank=True,
        validators=[
            RegexValidator(r"^[A-Z0-9]+$", "ODS codes are capital letters and digits only.")
        ],
        help_text="NHS Organisation Data Service code, e.g. RTH or QU9.",
    )

    # Optimistic locking: every save through a form or service checks and bumps it.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"],
                name="organisation_unique_name",
                violation_error_message="An organisation with this name already exists here.",
            ),
            models.UniqueConstraint(
                fields=["workspace", "ods_code"],
                condition=~Q(ods_code=""),
                name="organisation_unique_ods_code",
                violation_error_message="Another organisation here already has this ODS code.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="organisation_name_not_blank"),
            models.CheckConstraint(
                condition=_in_choices("kind", OrganisationKind), name="organisation_kind_valid"
            ),
            models.CheckConstraint(
                condition=_in_choices("sector", Sector), name="organisation_sector_valid"
            ),
            models.CheckConstraint(
                condition=_in_choices("tier", Tier), name="organisation_tier_valid"
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="organisation_not_own_parent",
                violation_error_message="An organisation cannot be its own parent.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": "An organisation cannot be its own parent."})
        if self.parent.workspace_id != self.workspace_id:
            raise ValidationError({"parent": "The parent must be in the same workspace."})
        # Walk up the parent chain: a cycle would make the hierarchy unusable.
        seen = {self.pk} if self.pk else set()
        node = self.parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": "This parent would create a cycle."})
            seen.add(node.pk)
            node = node.parent


class FormerOrganisation(models.Model):
    """An organisation deleted from the workspace, as it was named: stored scores and
    snapshots still group people by its id, and their pages and downloads name it.

    Written when an organisation that stored scores group people by is deleted
    (stakeholders.signals), not when its whole workspace is; read wherever group keys
    become names (selectors.group_labels).
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="former_organisations"
    )
    organisation_id = models.PositiveBigIntegerField()
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    sector = models.CharField(max_length=30, choices=Sector.choices)
    tier = models.CharField(max_length=20, choices=Tier.choices)
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "organisation_id"], name="formerorganisation_unique_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (deleted)"


class Person(CleanText, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="people")
    ref = models.CharField(
        max_length=60,
        help_text="Your stable key for this person (e.g. a staff number or initials-and-number).",
    )
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    seniority = models.CharField(max_length=20, choices=Seniority.choices)
    notes = models.TextField(blank=True)
    email = models.EmailField(
        blank=True, help_text="Used only to send this person a survey link; never shown on maps."
    )
    active = models.BooleanField(default=True)

    # Optimistic locking: every save through a form or service checks and bumps it.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "ref"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "ref"],
                name="person_unique_ref",
                violation_error_message="A person with this ref already exists here.",
            ),
            models.CheckConstraint(condition=~Q(ref=""), name="person_ref_not_blank"),
            models.CheckConstraint(condition=~Q(name=""), name="person_name_not_blank"),
            models.CheckConstraint(
                condition=_in_choices("seniority", Seniority), name="person_seniority_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Affiliation(WorkspaceLink, CleanText, models.Model):
    workspace_link = "person"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliations"
    )
    role_title = models.CharField(max_length=200, blank=True)
    is_primary = models.BooleanField("primary", default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    # Optimistic locking: every save through a form or service checks and bumps it.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-is_primary", "organisation"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation"],
                name="affiliation_unique_person_organisation",
                violation_error_message="This person already has an affiliation here.",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_primary=True),
                name="affiliation_one_primary",
                violation_error_message="This person already has a primary affiliation.",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="affiliation_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.organisation}"

    def clean(self) -> None:
        super().clean()
        if (
            self.person_id
            and self.organisation_id
            and self.person.workspace_id != self.organisation.workspace_id
        ):
            raise ValidationError(
                {"organisation": "The organisation must be in the person's workspace."}
            )


class Provenance(models.TextChoices):
    EDITOR = "editor", "Entered by an editor"
    REPORTED = "reported", "Reported by the person"


class Relationship(WorkspaceLink, CleanText, models.Model):
    workspace_link = "source"

    source = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="ties_out")
    target = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="ties_in")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    strength = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How close and frequent: 1 (occasional) to 5 (very close).",
    )
    trust = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (low) to 5 (high); leave empty if unknown.",
    )
    observed_on = models.DateField(null=True, blank=True)
    # When the tie began and ended; empty: in force throughout. An ended tie is history.
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    # Where the tie came from: an editor, or the source person's own survey answer.
    # Set by the survey's services only (editable=False keeps them out of every form).
    provenance = models.CharField(
        max_length=10, choices=Provenance.choices, default=Provenance.EDITOR, editable=False
    )
    survey = models.ForeignKey(
        "Survey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="relationships",
    )
    reported_on = models.DateField(
        null=True, blank=True, editable=False, help_text="When the person reported it."
    )

    # Optimistic locking: every save through a form or service checks and bumps it.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "target", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "kind"],
                name="relationship_unique_source_target_kind",
                violation_error_message="This relationship already exists.",
            ),
            models.CheckConstraint(
                condition=~Q(source=F("target")),
                name="relationship_no_self_tie",
                violation_error_message="A person cannot have a relationship with themselves.",
            ),
            models.CheckConstraint(
                condition=Q(strength__gte=1, strength__lte=5),
                name="relationship_strength_range",
                violation_error_message="Strength must be between 1 and 5.",
            ),
            models.CheckConstraint(
                condition=Q(trust__isnull=True) | Q(trust__gte=1, trust__lte=5),
                name="relationship_trust_range",
                violation_error_message="Trust must be between 1 and 5, or empty.",
            ),
            models.CheckConstraint(
                condition=_in_choices("kind", RelationshipKind), name="relationship_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="relationship_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=_in_choices("provenance", Provenance),
                name="relationship_provenance_valid",
            ),
        ]
        indexes = [models.Index(fields=["target", "kind"])]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display().lower()} {self.target}"

    def clean(self) -> None:
        super().clean()
        if (
            self.source_id
            and self.target_id
            and self.source.workspace_id != self.target.workspace_id
        ):
            raise ValidationError({"target": "Both people must be in the same workspace."})
        if self.observed_on is not None and self.observed_on > timezone.localdate():
            raise ValidationError({"observed_on": observed_later_message(self.observed_on)})


def observed_later_message(observed_on: datetime.date) -> str:
    """Why a tie cannot have been observed on a day still to come (admin and import)."""
    return (
        f"{observed_on.isoformat()} is still to come: enter the day the tie was last "
        "seen, today or earlier."
    )


# --- Formal forums (issue #18) -----------------------------------------------
# Boards and partnerships where leaders meet, and their dated seats.


class ForumKind(models.TextChoices):
    ICB_BOARD = "icb_board", "ICB board"
    INTEGRATED_CARE_PARTNERSHIP = "integrated_care_partnership", "Integrated care partnership"
    HEALTH_AND_WELLBEING_BOARD = "health_and_wellbeing_board", "Health and wellbeing board"
    PLACE_PARTNERSHIP_BOARD = "place_partnership_board", "Place partnership board"
    PROVIDER_COLLABORATIVE = "provider_collaborative", "Provider collaborative"
    NEIGHBOURHOOD_TEAM = "neighbourhood_team", "Neighbourhood team"
    STRATEGIC_AUTHORITY_BOARD = "strategic_authority_board", "Strategic authority board"
    OTHER = "other", "Other"


class Seat(models.TextChoices):
    CHAIR = "chair", "Chair"
    VOTING_MEMBER = "voting_member", "Voting member"
    PARTICIPANT = "participant", "Participant"


class Forum(CleanText, models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="forums")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=ForumKind.choices)
    tier = models.CharField(max_length=20, choices=Tier.choices)
    host = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_forums",
        verbose_name="host organisation",
    )

    # Optimistic locking: every save through a form or service checks and bumps it.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"],
                name="forum_unique_name",
                violation_error_message="A forum with this name already exists here.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="forum_name_not_blank"),
            models.CheckConstraint(
                condition=_in_choices("kind", ForumKind), name="forum_kind_valid"
            ),
            models.CheckConstraint(condition=_in_choices("tier", Tier), name="forum_tier_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.host_id is not None and self.host.workspace_id != self.workspace_id:
            raise ValidationError({"host": "The host organisation must be in the same workspace."})


class ForumMembership(WorkspaceLink, CleanText, models.Model):
    workspace_link = "forum"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="forum_memberships")
    seat = models.CharField(max_length=20, choices=Seat.choices, default=Seat.VOTING_MEMBER)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    # Optimistic locking: every save through a form or service checks and bumps it.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["forum", "person"]
        verbose_name = "forum membership"
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "person"],
                name="forummembership_unique_forum_person",
                violation_error_message="This person already has a seat on this forum.",
            ),
            models.CheckConstraint(
                condition=_in_choices("seat", Seat), name="forummembership_seat_valid"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="forummembership_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.forum}"

    def clean(self) -> None:
        super().clean()
        if self.person_id and self.forum_id and self.person.workspace_id != self.forum.workspace_id:
            raise ValidationError({"person": "The person must be in the forum's workspace."})


# --- Stored scores -----------------------------------------------------------
# Pages and exports read these; only the background run (stakeholders.score_runs)
# computes them.


class Boundary(models.TextChoices):
    ORGANISATION = "organisation", "Organisation"
    SECTOR = "sector", "Sector"
    TIER = "tier", "Tier"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ScoreRun(models.Model):
    """One computation of every score for a workspace under one set of options."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="score_runs")
    # Canonical JSON of the options (kinds, min_strength, as_of), so equal options match.
    options_key = models.CharField(max_length=200)
    options = models.JSONField()
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the input data.")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds per stage.")
    error = models.TextField(blank=True)
    people_count = models.PositiveIntegerField(default=0)
    relationships_count = models.PositiveIntegerField(default=0)
    # Whole-map figures per boundary (people, ties, density, components, ...).
    summary = models.JSONField(default=dict, blank=True)
    # Key people (default-options runs): fragmentation before anyone leaves, and the most
    # damaging sets of 2, 3 and 5 people with how they were found. Empty on older runs.
    key_people = models.JSONField(default=dict, blank=True)
    # The network in force on this date (stakeholders.snapshots.in_force); empty: the
    # network of the day the run was made. Such runs carry the date in options_key too.
    as_of = models.DateField(null=True, blank=True)
    # The last day a page showed this run's scores: a past date's or the informal and
    # formal run (not today's informal one). Such runs are kept up to date after edits
    # while shown in the last VARIANT_DAYS (stakeholders.score_runs), removed after.
    last_shown_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]
        indexes = [models.Index(fields=["workspace", "options_key", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=_in_choices("status", RunStatus), name="scorerun_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Scores for {self.workspace} ({self.get_status_display()})"


class Snapshot(CleanText, models.Model):
    """A named, frozen score run ("ICB board, March 2027"): never pruned, kept through edits.

    A worker makes its run (the network in force on `as_of`); until then `run` is empty
    and `status` says how it is going. Erasure still takes an erased person out of it.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="snapshots")
    name = models.CharField(max_length=200)
    as_of = models.DateField(help_text="The map as it was on this date.")
    # RESTRICT: pruning old runs must never take a snapshot's scores with it; deleting
    # the whole workspace takes both.
    run = models.OneToOneField(
        ScoreRun, on_delete=models.RESTRICT, null=True, blank=True, related_name="snapshot"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the data the scores were computed from."
    )
    error = models.TextField(blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"],
                name="snapshot_unique_name",
                violation_error_message="A snapshot with this name already exists here.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="snapshot_name_not_blank"),
            models.CheckConstraint(
                condition=_in_choices("status", RunStatus), name="snapshot_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.as_of:%Y-%m-%d})"


class PersonScore(models.Model):
    """Every measure for one person under one boundary, from one run."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="person_scores")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="scores")
    boundary = models.CharField(max_length=12, choices=Boundary.choices)
    group = models.CharField(max_length=60, blank=True, help_text="Empty: no primary group.")
    degree_in = models.PositiveIntegerField()
    degree_out = models.PositiveIntegerField()
    external_ties = models.PositiveIntegerField()
    groups_reached = models.PositiveIntegerField()
    ei_index = models.FloatField(null=True)
    participation = models.FloatField(null=True)
    betweenness = models.FloatField()
    weighted_betweenness = models.FloatField()
    boundary_betweenness = models.FloatField(null=True)
    coordinator = models.PositiveIntegerField()
    itinerant = models.PositiveIntegerField()
    gatekeeper = models.PositiveIntegerField()
    representative = models.PositiveIntegerField()
    liaison = models.PositiveIntegerField()
    coordinator_z = models.FloatField(null=True)
    itinerant_z = models.FloatField(null=True)
    gatekeeper_z = models.FloatField(null=True)
    representative_z = models.FloatField(null=True)
    liaison_z = models.FloatField(null=True)
    constraint = models.FloatField(null=True)
    effective_size = models.FloatField(null=True)
    influence = models.FloatField()
    influence_percentile = models.FloatField()
    seniority_percentile = models.FloatField(null=True)
    hidden_influencer = models.BooleanField()
    titled_but_isolated = models.BooleanField()
    broker_score = models.FloatField()
    boundary_betweenness_percentile = models.FloatField()
    cross_roles_percentile = models.FloatField()
    openness_percentile = models.FloatField()
    groups_reached_percentile = models.FloatField()
    why = models.TextField(help_text="The broker score explained in one sentence.")
    # If this person left (default-options runs; null on older runs). Fragmentation is the
    # same on every boundary; the group pairs are this boundary's, as [group, group] lists.
    fragmentation_if_leaves = models.FloatField(null=True)
    distance_fragmentation_if_leaves = models.FloatField(null=True)
    pairs_disconnected_if_leaves = models.JSONField(default=list)
    pairs_distant_if_leaves = models.JSONField(default=list)

    class Meta:
        ordering = ["-broker_score", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "person", "boundary"], name="personscore_unique_run_person"
            ),
        ]
        indexes = [
            models.Index(fields=["run", "boundary", "-broker_score"]),
            # Covers what the map and Seats and influence read for everyone on a
            # boundary, so those reads never touch the wide rows (at 20,000 people
            # 35 ms became 15 ms on SQLite).
            models.Index(
                fields=[
                    "run",
                    "boundary",
                    "person",
                    "group",
                    "broker_score",
                    "influence_percentile",
                    "betweenness",
                ],
                name="personscore_map_read",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.boundary}): {self.broker_score:.0f}"

    @property
    def cross_roles(self) -> int:
        return self.liaison + self.gatekeeper + self.representative


class WhatIf(models.Model):
    """A what-if answer: the map of one score run without some people, computed once.

    The scores of the remaining network need the analysis engine, so a worker computes
    them (never a request) and the page shows progress until `status` is final. The
    result holds ids and numbers only, never names (erasure has nothing to scrub), and
    goes when its run is superseded.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="what_ifs")
    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="what_ifs")
    people = models.JSONField(help_text="Sorted ids of the people who leave.")
    key = models.CharField(max_length=64, help_text="SHA-256 of the sorted ids.")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="whatif_unique_run_key"),
        ]

    def __str__(self) -> str:
        return f"What if {len(self.people)} leave ({self.workspace_id}, run {self.run_id})"


class PairScore(models.Model):
    """Partnership health between two groups that share at least one tie."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="pair_scores")
    boundary = models.CharField(max_length=12, choices=Boundary.choices)
    group_a = models.CharField(max_length=60)
    group_b = models.CharField(max_length=60)
    arcs_a_to_b = models.PositiveIntegerField()
    arcs_b_to_a = models.PositiveIntegerField()
    relationships = models.PositiveIntegerField()
    mean_strength = models.FloatField()
    mean_trust = models.FloatField(null=True)
    connected_person_pairs = models.PositiveIntegerField()
    reciprocity = models.FloatField()
    carriers = models.PositiveIntegerField(help_text="Distinct people carrying the ties.")
    single_point_of_failure = models.BooleanField()
    # Person ids: at an end of every cross tie / whose removal disconnects the groups.
    failure_people = models.JSONField(default=list)
    disconnecting_people = models.JSONField(default=list)

    class Meta:
        ordering = ["boundary", "group_a", "group_b"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "boundary", "group_a", "group_b"], name="pairscore_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_a} / {self.group_b} ({self.boundary})"


class OrganisationPosition(models.Model):
    """Where an organisation's disc sits on the influence map, from one score run.

    Coordinates are in a 1000 x 1000 box (SVG user units). No organisation:
    the disc of people with no primary organisation.
    """

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="org_positions")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, related_name="positions"
    )
    x = models.FloatField()
    y = models.FloatField()
    r = models.FloatField(help_text="Disc radius: grows with the square root of its people.")

    class Meta:
        ordering = ["run", "organisation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "organisation"], name="orgposition_unique_run_org"
            ),
            models.UniqueConstraint(
                fields=["run"],
                condition=Q(organisation__isnull=True),
                name="orgposition_one_unaffiliated_disc",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation or 'No organisation'} at ({self.x:.0f}, {self.y:.0f})"


class PersonPosition(models.Model):
    """Where a person sits on the influence map, from one score run (1000 x 1000 box)."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="person_positions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    x = models.FloatField()
    y = models.FloatField()

    class Meta:
        ordering = ["run", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "person"], name="personposition_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} at ({self.x:.0f}, {self.y:.0f})"


class ImportPreviewStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    EXPIRED = "expired", "Expired"


class ImportPreview(models.Model):
    """An uploaded bundle waiting for its uploader to confirm it (nothing is written before).

    The files are kept only until the preview is confirmed or expires; they hold
    personal data, so they are emptied then.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="import_previews"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_previews"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=ImportPreviewStatus.choices, default=ImportPreviewStatus.PENDING
    )
    # File name -> contents, base64 (after unzipping); emptied once no longer needed.
    files = models.JSONField(default=dict, blank=True)
    # What the preview showed: per file counts and keys, errors (JSON-able).
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=_in_choices("status", ImportPreviewStatus),
                name="importpreview_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Import into {self.workspace} ({self.get_status_display()})"


class Erasure(models.Model):
    """That a person was erased, by whom and when; deliberately nothing about who it was.

    The erasure removes the person, their affiliations and ties, and the history
    of all three, so this record is all the audit keeps (UK GDPR Article 17).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="erasures")
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    erased_at = models.DateTimeField(auto_now_add=True)
    affiliations_removed = models.PositiveIntegerField(default=0)
    relationships_removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"Erasure in {self.workspace} at {self.erased_at:%Y-%m-%d %H:%M}"


class MapPin(models.Model):
    """Where an editor pinned a person or an organisation on the influence map.

    Coordinates are in the layout's 1000 x 1000 box. Every layout keeps a pin,
    a full relayout included, and the map draws the pin at once (issue #13).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="map_pins")
    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="map_pin"
    )
    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="map_pin"
    )
    x = models.FloatField()
    y = models.FloatField()
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pinned_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=True, organisation__isnull=False)
                | Q(person__isnull=False, organisation__isnull=True),
                name="mappin_person_or_organisation",
            ),
            models.CheckConstraint(
                condition=Q(x__gte=0, x__lte=1000, y__gte=0, y__lte=1000),
                name="mappin_inside_the_box",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person or self.organisation} pinned at ({self.x:.0f}, {self.y:.0f})"


# --- Relationship survey (issue #15) --------------------------------------------
# People name their own ties from a roster; answers become relationships with provenance.


class Survey(CleanText, models.Model):
    """A roster survey: the people invited name who they work with, trust and so on."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(max_length=200)
    introduction = models.TextField(
        help_text="What the survey is for, shown to each person before they answer."
    )
    privacy_notice = models.TextField(
        help_text="Who will see the answers and why; each person reads it before consenting."
    )
    closes_at = models.DateTimeField(help_text="Links stop working at this moment.")
    ask_strength = models.BooleanField(default=True)
    ask_trust = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_early_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["workspace", "-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="survey_title_not_blank"),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(CleanText, models.Model):
    """One relationship kind the survey asks about, in the editor's words."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    wording = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "kind"],
                name="surveyquestion_unique_kind",
                violation_error_message="The survey asks about this kind of tie already.",
            ),
            models.CheckConstraint(
                condition=_in_choices("kind", RelationshipKind), name="surveyquestion_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(wording=""), name="surveyquestion_wording_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey}: {self.get_kind_display()}"


class ResponseStatus(models.TextChoices):
    INVITED = "invited", "Not answered yet"
    CONSENTED = "consented", "Started"
    DECLINED = "declined", "Declined"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SurveyResponse(models.Model):
    """One invited person's place in a survey: their link, consent and answers' state.

    The emailed link is signed (django.core.signing) over this row's id and nonce;
    issuing a new link changes the nonce, so the old one stops working.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="survey_responses")
    email = models.EmailField(blank=True, help_text="Where the link is sent; empty: copy it.")
    nonce = models.CharField(max_length=32, editable=False)
    status = models.CharField(
        max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.INVITED
    )
    invited_at = models.DateTimeField(null=True, blank=True, help_text="When the link was emailed.")
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)
    consent_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person"],
                name="surveyresponse_unique_person",
                violation_error_message="This person is invited to the survey already.",
            ),
            models.CheckConstraint(
                condition=_in_choices("status", ResponseStatus),
                name="surveyresponse_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.survey}"


class SurveyAnswer(CleanText, models.Model):
    """A person the respondent named for one question, on the roster or not.

    `relationship` is the tie the submitted answer made or updated; `previous` holds
    an editor-entered tie's values that the answer replaced, restored on withdrawal.
    A name not on the roster waits for an editor's review before it enters the map;
    once added (to a new or an existing person) `target` is set and the name kept.
    """

    class Review(models.TextChoices):
        NOT_NEEDED = "", "Not needed"
        PENDING = "pending", "Waiting for review"
        ADDED = "added", "Added to the map"
        REJECTED = "rejected", "Not added"

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    target = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unlisted_name = models.CharField(max_length=200, blank=True)
    unlisted_organisation = models.CharField(max_length=200, blank=True)
    strength = models.PositiveSmallIntegerField(null=True, blank=True)
    trust = models.PositiveSmallIntegerField(null=True, blank=True)
    relationship = models.ForeignKey(
        Relationship, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    previous = models.JSONField(null=True, blank=True)
    review = models.CharField(max_length=10, choices=Review.choices, blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["response", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "kind", "target"],
                condition=Q(target__isnull=False),
                name="surveyanswer_unique_target",
                violation_error_message="This person is named for this question already.",
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=False) | ~Q(unlisted_name=""),
                name="surveyanswer_target_or_unlisted",
            ),
            models.CheckConstraint(
                condition=Q(strength__isnull=True) | Q(strength__gte=1, strength__lte=5),
                name="surveyanswer_strength_range",
            ),
            models.CheckConstraint(
                condition=Q(trust__isnull=True) | Q(trust__gte=1, trust__lte=5),
                name="surveyanswer_trust_range",
            ),
            models.CheckConstraint(
                condition=_in_choices("kind", RelationshipKind), name="surveyanswer_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        named = self.target.name if self.target_id else self.unlisted_name
        return f"{self.response.person} named {named} ({self.get_kind_display().lower()})"
