"""The app's addresses. Each feature's views are imported on the first request to one
of them (_Views), not when the URL conf loads: `manage.py check` and every command that
runs the system checks load this module but no view, and a web worker imports the
features it serves. That spares `manage.py check` some 70 of the app's modules and
about 130 dataclasses to build (0.64 s became 0.55 s here).
"""

from collections.abc import Callable
from importlib import import_module

from django.urls import path


class _Views:
    """A feature's views module, imported on the first request to one of its views."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Callable:
        module = self._module

        def view(request, *args, **kwargs):
            return getattr(import_module(module), name)(request, *args, **kwargs)

        view.__module__, view.__name__, view.__qualname__ = module, name, name
        return view


views = _Views("stakeholders.dashboard.views")
export_views = _Views("stakeholders.exports.views")
forum_views = _Views("stakeholders.forums.views")
import_views = _Views("stakeholders.imports.views")
map_layout_views = _Views("stakeholders.maps.layout_views")
map_views = _Views("stakeholders.maps.views")
joining = _Views("stakeholders.members.joining")
member_views = _Views("stakeholders.members.views")
privacy_views = _Views("stakeholders.privacy.views")
scenario_views = _Views("stakeholders.scenarios.views")
snapshot_views = _Views("stakeholders.snapshots.views")
respondent = _Views("stakeholders.surveys.respondent")
survey_views = _Views("stakeholders.surveys.views")

app_name = "stakeholders"
# A page's table downloads as CSV, or as .xlsx from the same address with that extension.
XLSX = {"fmt": "xlsx"}

urlpatterns = [
    path("", views.home, name="home"),
    path("workspaces/new/", member_views.workspace_new, name="workspace_new"),
    path("w/<slug:slug>/", views.overview, name="overview"),
    path("w/<slug:slug>/map/", map_views.map_page, name="map"),
    path("w/<slug:slug>/map/person/<int:pk>/", map_views.map_person, name="map_person"),
    path("w/<slug:slug>/map.svg", map_views.map_svg, name="map_svg"),
    path("w/<slug:slug>/map.png", map_views.map_png, name="map_png"),
    path("w/<slug:slug>/map/pin/", map_layout_views.map_pin, name="map_pin"),
    path("w/<slug:slug>/map/tidy/", map_layout_views.map_tidy, name="map_tidy"),
    path("w/<slug:slug>/brokers/", views.brokers, name="brokers"),
    path("w/<slug:slug>/partnerships/", views.partnerships, name="partnerships"),
    path(
        "w/<slug:slug>/partnerships/people/",
        views.partnership_people,
        name="partnership_people",
    ),
    path("w/<slug:slug>/people/<int:pk>/", views.person_detail, name="person_detail"),
    path(
        "w/<slug:slug>/organisations/<int:pk>/",
        views.organisation_detail,
        name="organisation_detail",
    ),
    path("w/<slug:slug>/scores/status/", views.scores_status, name="scores_status"),
    path("w/<slug:slug>/snapshots/", snapshot_views.snapshots, name="snapshots"),
    path("w/<slug:slug>/snapshots/take/", snapshot_views.snapshot_take, name="snapshot_take"),
    path(
        "w/<slug:slug>/snapshots/compare/",
        snapshot_views.snapshot_compare,
        name="snapshot_compare",
    ),
    path(
        "w/<slug:slug>/snapshots/compare.csv",
        snapshot_views.snapshot_compare_csv,
        name="snapshot_compare_csv",
    ),
    path(
        "w/<slug:slug>/snapshots/compare.xlsx",
        snapshot_views.snapshot_compare_csv,
        XLSX,
        name="snapshot_compare_xlsx",
    ),
    path(
        "w/<slug:slug>/snapshots/compare-partnerships.csv",
        snapshot_views.snapshot_compare_partnerships_csv,
        name="snapshot_compare_partnerships_csv",
    ),
    path(
        "w/<slug:slug>/snapshots/compare-partnerships.xlsx",
        snapshot_views.snapshot_compare_partnerships_csv,
        XLSX,
        name="snapshot_compare_partnerships_xlsx",
    ),
    path("w/<slug:slug>/scenarios/route/", scenario_views.scenario_route, name="scenario_route"),
    path(
        "w/<slug:slug>/scenarios/route.csv",
        scenario_views.scenario_route_csv,
        name="scenario_route_csv",
    ),
    path(
        "w/<slug:slug>/scenarios/route.xlsx",
        scenario_views.scenario_route_csv,
        XLSX,
        name="scenario_route_xlsx",
    ),
    path("w/<slug:slug>/scenarios/room/", scenario_views.scenario_room, name="scenario_room"),
    path(
        "w/<slug:slug>/scenarios/room.csv",
        scenario_views.scenario_room_csv,
        name="scenario_room_csv",
    ),
    path(
        "w/<slug:slug>/scenarios/room.xlsx",
        scenario_views.scenario_room_csv,
        XLSX,
        name="scenario_room_xlsx",
    ),
    path(
        "w/<slug:slug>/people/<int:pk>/changes/",
        privacy_views.person_changes,
        name="person_changes",
    ),
    path(
        "w/<slug:slug>/organisations/<int:pk>/changes/",
        privacy_views.organisation_changes,
        name="organisation_changes",
    ),
    path(
        "w/<slug:slug>/people/<int:pk>/subject-access.zip",
        privacy_views.person_subject_access,
        name="person_subject_access",
    ),
    path("w/<slug:slug>/people/<int:pk>/erase/", privacy_views.person_erase, name="person_erase"),
    path("w/<slug:slug>/settings/", privacy_views.workspace_settings, name="workspace_settings"),
    path("w/<slug:slug>/people/", views.workspace_detail, name="workspace_detail"),
    path("w/<slug:slug>/members/", member_views.members, name="members"),
    path("w/<slug:slug>/members/invite/", member_views.member_invite, name="member_invite"),
    path("w/<slug:slug>/members/<int:pk>/role/", member_views.member_role, name="member_role"),
    path(
        "w/<slug:slug>/members/<int:pk>/remove/", member_views.member_remove, name="member_remove"
    ),
    path(
        "w/<slug:slug>/members/invitations/<int:pk>/resend/",
        member_views.member_invitation_resend,
        name="member_invitation_resend",
    ),
    path(
        "w/<slug:slug>/members/invitations/<int:pk>/cancel/",
        member_views.member_invitation_cancel,
        name="member_invitation_cancel",
    ),
    # A survey's personal link (no account); the pages first, as <str:token> matches them too.
    path("surveys/respond/", respondent.survey_respond, name="survey_respond"),
    path("surveys/respond/roster/", respondent.survey_roster, name="survey_roster"),
    path("surveys/respond/<str:token>/", respondent.survey_open, name="survey_open"),
    # The emailed link; "accept/" first, as <str:token> would also match it.
    path("invitations/accept/", joining.invitation_accept_page, name="invitation_accept"),
    path("invitations/<str:token>/", joining.invitation_open, name="invitation_open"),
    # Exports: the notes pattern comes first, as <str:kind>.csv would also match it.
    path(
        "w/<slug:slug>/export/<str:kind>-notes.csv",
        export_views.export_notes,
        name="export_notes",
    ),
    path("w/<slug:slug>/export/<str:kind>.csv", export_views.export_csv, name="export_csv"),
    path("w/<slug:slug>/export/<str:kind>.xlsx", export_views.export_xlsx, name="export_xlsx"),
    path(
        "w/<slug:slug>/export/graph.<str:format>",
        export_views.export_graph,
        name="export_graph",
    ),
    path(
        "w/<slug:slug>/export/board-pack.zip",
        export_views.export_board_pack,
        name="export_board_pack",
    ),
    path("w/<slug:slug>/import/", import_views.import_upload, name="import_upload"),
    path("w/<slug:slug>/import/template.zip", import_views.import_template, name="import_template"),
    path("w/<slug:slug>/import/<uuid:token>/", import_views.import_preview, name="import_preview"),
    path(
        "w/<slug:slug>/import/<uuid:token>/confirm/",
        import_views.import_confirm,
        name="import_confirm",
    ),
    path(
        "w/<slug:slug>/scenarios/key-people/",
        scenario_views.scenario_key_people,
        name="scenario_key_people",
    ),
    path("w/<slug:slug>/scenarios/leaves/", scenario_views.scenario_leaves, name="scenario_leaves"),
    path(
        "w/<slug:slug>/scenarios/leaves.csv",
        scenario_views.scenario_leaves_csv,
        name="scenario_leaves_csv",
    ),
    path(
        "w/<slug:slug>/scenarios/leaves.xlsx",
        scenario_views.scenario_leaves_csv,
        XLSX,
        name="scenario_leaves_xlsx",
    ),
    path("w/<slug:slug>/forums/", forum_views.forums_page, name="forums"),
    path("w/<slug:slug>/forums.csv", forum_views.forums_csv, name="forums_csv"),
    path("w/<slug:slug>/forums.xlsx", forum_views.forums_csv, XLSX, name="forums_xlsx"),
    # Surveys: the editor's pages (the respondent's are under surveys/respond/).
    path("w/<slug:slug>/surveys/", survey_views.surveys, name="surveys"),
    path("w/<slug:slug>/surveys/new/", survey_views.survey_new, name="survey_new"),
    path("w/<slug:slug>/surveys/<int:pk>/", survey_views.survey_detail, name="survey_detail"),
    path(
        "w/<slug:slug>/surveys/<int:pk>/responses.csv",
        survey_views.survey_responses_csv,
        name="survey_responses_csv",
    ),
    path(
        "w/<slug:slug>/surveys/<int:pk>/responses.xlsx",
        survey_views.survey_responses_csv,
        XLSX,
        name="survey_responses_xlsx",
    ),
    path("w/<slug:slug>/surveys/<int:pk>/link/", survey_views.survey_link, name="survey_link"),
    path(
        "w/<slug:slug>/surveys/<int:pk>/invite/", survey_views.survey_invite, name="survey_invite"
    ),
    path(
        "w/<slug:slug>/surveys/<int:pk>/remind/", survey_views.survey_remind, name="survey_remind"
    ),
    path("w/<slug:slug>/surveys/<int:pk>/close/", survey_views.survey_close, name="survey_close"),
    path(
        "w/<slug:slug>/surveys/<int:pk>/names/<int:answer_pk>/",
        survey_views.survey_review,
        name="survey_review",
    ),
]
