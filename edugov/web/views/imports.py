from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edugov.core.choices import Permission
from edugov.core.scoping import scope_for
from edugov.dataio import services
from edugov.dataio.models import ImportRun
from edugov.dataio.tables import TABLES, TABLES_BY_KEY
from edugov.web import imports
from edugov.web.forms import ImportUploadForm
from edugov.web.views.common import login_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The preview lists this many problems; the downloadable report has all of them.
ERRORS_SHOWN = 500


def _require_import(request: HttpRequest) -> None:
    if not scope_for(request.user).can(Permission.IMPORT):
        raise PermissionDenied


def _own_run(request: HttpRequest, run_id: int) -> ImportRun:
    """A run the user uploaded; other people's uploads may hold data outside this user's scope."""
    _require_import(request)
    return get_object_or_404(ImportRun, pk=run_id, actor_id=request.user.pk)


@login_required
def import_index(request: HttpRequest) -> HttpResponse:
    """数据导入: template download, upload (which starts the dry run), and the user's earlier runs."""
    _require_import(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # The upload object is passed whole: the engine streams it to disk in chunks instead of into memory.
            run = services.create_run(actor=request.user, file_name=upload.name, content=upload)
        except (ValidationError, ValueError) as exc:
            form.add_error("file", "；".join(getattr(exc, "messages", None) or [str(exc)]))
        else:
            imports.start(run, "validate")
            return HttpResponseRedirect(reverse("import_detail", args=[run.pk]))
    runs = ImportRun.objects.filter(actor_id=request.user.pk).order_by("-created_at", "-id")[:50]
    return render(request, "web/imports/index.html", {"form": form, "runs": runs, "tables": TABLES})


def _detail_context(run: ImportRun) -> dict:
    summary = [(TABLES_BY_KEY[key].sheet if key in TABLES_BY_KEY else key, counts)
               for key, counts in (run.summary or {}).items()]
    errors = run.errors or []
    running = imports.is_running(run)
    return {"run": run, "summary": summary, "errors": errors[:ERRORS_SHOWN], "error_total": len(errors),
            "running": running, "progress": imports.progress(run) if running else None,
            "can_apply": imports.can_apply(run)}


@login_required
def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """The dry-run preview (per-table counts and the problem list), the confirm button, or the running progress."""
    run = _own_run(request, run_id)
    return render(request, "web/imports/detail.html", _detail_context(run))


@login_required
def import_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """Polled by the progress bar. When the run stops, HTMX reloads the page to show the result."""
    run = _own_run(request, run_id)
    response = render(request, "web/imports/_progress.html", _detail_context(run))
    if not imports.is_running(run):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_apply(request: HttpRequest, run_id: int) -> HttpResponse:
    """确认导入: applies exactly the file that was previewed, only when the preview found no errors."""
    run = _own_run(request, run_id)
    if imports.claim_for_apply(run):
        imports.start(run, "apply")
    else:
        messages.error(request, _("该文件尚未通过校验、存在错误或已在导入，不能再次导入。"))
    return HttpResponseRedirect(reverse("import_detail", args=[run.pk]))


@login_required
def import_errors(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _own_run(request, run_id)
    from edugov.dataio.reports import error_workbook

    response = HttpResponse(error_workbook(run), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.xlsx"'
    return response


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    from edugov.dataio.templates import template_workbook

    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="edugov-template.xlsx"'
    return response
