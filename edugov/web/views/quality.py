from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from edugov.core.scoping import scope_for
from edugov.web import quality
from edugov.web.views.common import login_required
from edugov.web.years import selected_year


@login_required
def quality_index(request: HttpRequest) -> HttpResponse:
    """数据质量: missing data, outliers and likely duplicates for the selected year within the user's scope."""
    year = selected_year(request)
    report = quality.report(scope_for(request.user), year)
    return render(request, "web/quality/index.html", {
        "report": report, "year": year, "limit": quality.LIMIT, "iqr_factor": quality.IQR_FACTOR,
        "min_group": quality.MIN_GROUP, "max_training_hours": quality.MAX_TRAINING_HOURS,
        "age_below": quality.AGE_BELOW, "age_above": quality.AGE_ABOVE,
    })
