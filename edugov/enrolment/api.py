"""A JSON endpoint for filing an application (for the parent's app and for load tests): the same service as the form.

``POST /enrol/api/<public_id>/applications/`` with token (``Authorization: Token …``) or session authentication and a
JSON body ``{"idempotency_key", "child_name", "id_number", "guardian_name", "guardian_phone", "address",
"choices": [{"school": "<学校标识码>", "tier": "<tier code>"}, …]}``; the key may also come in the
``Idempotency-Key`` header. 201 with the reference for a new application; 200 with the same reference for a retry with
the same key; 400 with the Chinese messages per field for a refused one (late, invalid ID, child already registered
…); 404 for an unknown round.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from edugov.enrolment import queries, services
from edugov.enrolment.models import Application, RoundSchool


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


class RoundApplications(APIView):
    """报名接口: files one application in the round through ``services.submit_application``."""

    def post(self, request: Request, public_id: str) -> Response:
        rnd = queries.public_round(public_id)
        body: Any = request.data
        if not isinstance(body, dict):
            return Response({"errors": {"__all__": ["请求体必须是 JSON 对象。"]}}, status=status.HTTP_400_BAD_REQUEST)
        key = str(request.headers.get("Idempotency-Key") or body.get("idempotency_key") or "").strip()[:64]
        schools = {rs.school.code: rs for rs in RoundSchool.objects.filter(round=rnd).select_related("school")}
        choices: list[tuple[RoundSchool, str]] = []
        raw_choices = body.get("choices")
        for raw in raw_choices if isinstance(raw_choices, list) else []:
            code = str(raw.get("school", "")) if isinstance(raw, dict) else ""
            if code not in schools:
                return Response({"errors": {"choices": [f"“{code}”不在本轮招生的学校中。"]}},
                                status=status.HTTP_400_BAD_REQUEST)
            choices.append((schools[code], str(raw.get("tier", ""))))
        data = services.ApplicationData(
            child_name=str(body.get("child_name", "")), id_number=str(body.get("id_number", "")),
            guardian_name=str(body.get("guardian_name", "")), guardian_phone=str(body.get("guardian_phone", "")),
            address=str(body.get("address", "")), choices=choices)
        replay = bool(key) and Application.objects.filter(round=rnd, idempotency_key=key).exists()
        try:
            application = services.submit_application(actor=request.user, rnd=rnd, data=data, idempotency_key=key)
        except ValidationError as exc:
            return Response({"errors": _errors(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"reference": application.reference, "status": application.status, "replayed": replay},
                        status=status.HTTP_200_OK if replay else status.HTTP_201_CREATED)
