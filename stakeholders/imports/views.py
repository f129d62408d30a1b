"""Bulk import from the browser: upload, preview, confirm (editors and owners only)."""

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from stakeholders.http import Refusal, member_page
from stakeholders.imports import uploads
from stakeholders.imports.bundle import BUNDLE_FILES, COLUMNS
from stakeholders.models import ImportPreview, ImportPreviewStatus, Membership, Role

# Keys listed per file and status on the preview page; the counts are always complete.
LISTED_KEYS = 200

_FILE_LABELS = {
    "organisations.csv": "Organisations",
    "people.csv": "People",
    "affiliations.csv": "Affiliations",
    "relationships.csv": "Relationships",
    "forums.csv": "Forums",
    "forum_members.csv": "Forum seats",
}


def _forbidden(request: HttpRequest, membership: Membership) -> Refusal:
    context = {"workspace": membership.workspace, "membership": membership, "forbidden": True}
    return Refusal(status=403, template="stakeholders/import_upload.html", context=context)


editor_page = member_page(role=Role.EDITOR, refused=_forbidden)


def _upload_context(membership: Membership, errors: list[Any] | None = None) -> dict[str, Any]:
    return {
        "workspace": membership.workspace,
        "membership": membership,
        "errors": errors or [],
        "columns": [(name, list(COLUMNS[name])) for name in BUNDLE_FILES],
        "max_upload_mb": uploads.MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_rows": uploads.MAX_ROWS,
        "lifetime_minutes": int(uploads.PREVIEW_LIFETIME.total_seconds() // 60),
    }


@member_page(methods=("GET", "POST"), role=Role.EDITOR, refused=_forbidden)
def import_upload(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The upload form; a good upload becomes a preview (nothing written yet)."""
    if request.method == "POST":
        read = uploads.upload_read(uploads=request.FILES.getlist("files"))
        if read.errors:
            return render(
                request,
                "stakeholders/import_upload.html",
                _upload_context(membership, read.errors),
                status=400,
            )
        preview = uploads.import_preview_create(
            workspace=membership.workspace, user=request.user, files=read.files
        )
        return redirect(
            "stakeholders:import_preview", slug=membership.workspace.slug, token=preview.token
        )
    return render(request, "stakeholders/import_upload.html", _upload_context(membership))


@editor_page
def import_template(request: HttpRequest, membership: Membership) -> HttpResponse:
    """A zip of the bundle's CSV files with their columns and an example row."""
    return HttpResponse(
        uploads.template_zip(),
        content_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="influence-map-import-template.zip"'},
    )


def _preview_or_404(request: HttpRequest, membership: Membership, token: uuid.UUID):
    # Someone else's preview, even in the same workspace, does not exist for this user.
    return get_object_or_404(
        ImportPreview, token=token, workspace=membership.workspace, user=request.user
    )


def _files(summary: dict[str, Any]) -> list[dict[str, Any]]:
    files = []
    for entry in summary.get("files", []):
        statuses = []
        for status, label in (
            ("created", "New"),
            ("updated", "Changed"),
            ("unchanged", "Unchanged"),
        ):
            keys = entry[status]
            statuses.append(
                {
                    "status": status,
                    "label": label,
                    "count": len(keys),
                    "keys": keys[:LISTED_KEYS],
                    "more": max(0, len(keys) - LISTED_KEYS),
                }
            )
        files.append(
            {
                "name": entry["name"],
                "label": _FILE_LABELS[entry["name"]],
                # The sheet of a workbook upload; previews made before workbooks: the file.
                "source": entry.get("source", entry["name"]),
                "statuses": statuses,
            }
        )
    return files


@editor_page
def import_preview(request: HttpRequest, membership: Membership, token: uuid.UUID) -> HttpResponse:
    """What the upload would create, change and leave, or every problem found."""
    preview = _preview_or_404(request, membership, token)
    expired = preview.status == ImportPreviewStatus.EXPIRED or (
        preview.status == ImportPreviewStatus.PENDING and uploads.import_preview_expired(preview)
    )
    summary = preview.summary
    errors = summary.get("errors", [])
    context = {
        "workspace": membership.workspace,
        "membership": membership,
        "preview": preview,
        "expired": expired,
        "confirmed": preview.status == ImportPreviewStatus.CONFIRMED,
        "errors": errors,
        # Refused on confirm: rows it would write were edited after this preview.
        "changed": summary.get("changed", False),
        "files": _files(summary),
        "notes": summary.get("notes", []),
        "kumu": summary.get("kumu", False),
        "can_confirm": preview.status == ImportPreviewStatus.PENDING and not expired and not errors,
        "lifetime_minutes": int(uploads.PREVIEW_LIFETIME.total_seconds() // 60),
    }
    return render(request, "stakeholders/import_preview.html", context)


def _counts(summary: dict[str, Any]) -> str:
    parts = [
        f"{_FILE_LABELS[entry['name']]}: {len(entry['created'])} new, "
        f"{len(entry['updated'])} changed, {len(entry['unchanged'])} unchanged."
        for entry in summary.get("files", [])
    ]
    return " ".join(parts)


@member_page(methods=("POST",), role=Role.EDITOR, refused=_forbidden)
def import_confirm(request: HttpRequest, membership: Membership, token: uuid.UUID) -> HttpResponse:
    """Plan the preview again against the data as it is now and, if still clean, write it."""
    preview = _preview_or_404(request, membership, token)
    result = uploads.import_preview_confirm(preview=preview, user=request.user)
    if result.outcome == "imported":
        messages.success(request, f"Import complete. {_counts(result.summary)}")
        return redirect(membership.workspace)
    if result.outcome == "errors":
        messages.error(
            request,
            "Nothing was imported: checked again against the data as it is now, the files "
            "have the problems listed below.",
        )
    elif result.outcome == "changed":
        messages.error(
            request,
            "Nothing was imported: records it would change were edited after you checked it, "
            "and importing now would overwrite those edits without showing you. They are "
            "listed below. Upload the files again to check them against the data as it is now.",
        )
    elif result.outcome == "done":
        messages.info(request, "This import was already confirmed; it was not imported again.")
    return redirect(
        "stakeholders:import_preview", slug=membership.workspace.slug, token=preview.token
    )
