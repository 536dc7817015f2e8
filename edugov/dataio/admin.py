"""Import runs in the admin, to help a user whose upload went wrong. Read-only: runs are created by uploading."""

from __future__ import annotations

from django.contrib import admin

from edugov.dataio.models import ImportRun
from edugov.registry.admin import ReadOnlyAdmin


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "file_name", "actor", "status", "rows_done", "rows_total", "applied_at")
    list_filter = ("status", "created_at")
    search_fields = ("file_name", "actor__username", "sha256")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)
    readonly_fields = ("created_at", "actor", "file_name", "stored_path", "sha256", "size_bytes", "status",
                       "rows_total", "rows_done", "summary", "errors", "message", "applied_at")
