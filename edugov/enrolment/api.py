"""A JSON endpoint for filing an application (for the parent's app and for load tests): the same service as the form.

``POST /enrol/api/<public_id>/applications/`` with token (``Authorization: Token …``) or session authentication and a
JSON body ``{"idempotency_key", "child_name", "id_number", "guardian_name", "guardian_phone", "address",
"choices": [{"school": "<学校标识码>", "tier": "<tier code>"}, …]}``; the key may also come in the
``Idempotency-Key`` header. 201 with the reference for a new application; 200 with the same reference for a retry with
the same key; 400 with the Chinese messages per field for a refused one (late, invalid ID, child already registered
…); 404 for an unknown round.
"""

from __future__ import annotations

import json
import time
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from edugov.api.authentication import token_expired
from edugov.enrolment import intake, queries, services
from edugov.enrolment.models import Application, EnrolmentRound, Intake, RoundSchool


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


class RoundApplications(APIView):
    """报名接口: files one application in the round through ``services.submit_application``."""

    @extend_schema(
        tags=["招生报名"], summary="提交入学报名（同步核验）", operation_id="enrolment_application_create",
        description="按招生轮次提交一名儿童的报名，与家长网页表单经过同样的核验（身份证号、年龄、重复报名、截止时间、"
                    "志愿学校）。同一防重复编号（请求体 idempotency_key 或请求头 Idempotency-Key）重发时"
                    "返回同一份报名。"
                    "报名高峰请使用受理接口 /enrol/api/<public_id>/intake/。",
        request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT,
                                                400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
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


# ---------------------------------------------------------------------------------------------------------------
# 受理 (intake): the burst-proof endpoint. Plain Django views with token authentication only (no cookies, so no
# CSRF exposure): the receipt must cost as little as the database allows.


# Tokens and rounds seen in the last seconds, so that a receipt under a burst costs one statement. A revoked or
# expired token or a deactivated account stops working within TOKEN_CACHE_SECONDS; a round's window is re-read every
# second.
TOKEN_CACHE_SECONDS = 10.0
ROUND_CACHE_SECONDS = 1.0
_tokens: dict[str, tuple[Any, float]] = {}
_rounds: dict[str, tuple[EnrolmentRound | None, float]] = {}


def _token_user(request: HttpRequest) -> Any:
    header = request.headers.get("Authorization", "")
    scheme, _space, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "token" or not key:
        return None
    now = time.monotonic()
    cached = _tokens.get(key)
    if cached is not None and cached[1] > now:
        return cached[0]
    token = Token.objects.select_related("user").filter(key=key).first()
    user = token.user if token is not None and token.user.is_active and not token_expired(token) else None
    if len(_tokens) > 100_000:
        _tokens.clear()
    _tokens[key] = (user, now + TOKEN_CACHE_SECONDS)
    return user


def _round(public_id: str) -> EnrolmentRound | None:
    now = time.monotonic()
    cached = _rounds.get(public_id)
    if cached is not None and cached[1] > now:
        return cached[0]
    rnd = EnrolmentRound.objects.filter(public_id=public_id).first()
    if len(_rounds) > 10_000:
        _rounds.clear()
    _rounds[public_id] = (rnd, now + ROUND_CACHE_SECONDS)
    return rnd


def _refused(messages: list[str], status_code: int = 400) -> JsonResponse:
    return JsonResponse({"errors": {"__all__": messages}}, status=status_code,
                        json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_POST
def intake_post(request: HttpRequest, public_id: str) -> HttpResponse:
    """``POST /enrol/api/<public_id>/intake/``: records the registration and answers 202 with a receipt at once
    (200 with the same receipt for a retried key); the filing follows within seconds (GET the status URL)."""
    user = _token_user(request)
    if user is None:
        return _refused(["请使用令牌（Authorization: Token …）登录后提交。"], 401)
    rnd = _round(public_id)
    if rnd is None:
        return _refused(["找不到该招生轮次。"], 404)
    try:
        raw = (request.body or b"{}").decode("utf-8")
        body = json.loads(raw)
    except ValueError:
        return _refused(["请求体不是有效的 JSON（UTF-8）。"])
    if not isinstance(body, dict):
        return _refused(["请求体必须是 JSON 对象。"])
    key = str(request.headers.get("Idempotency-Key") or body.get("idempotency_key") or "")
    try:
        receipt = intake.receive(user=user, rnd=rnd, key=key, payload=body, payload_json=raw)
    except ValidationError as exc:
        return _refused([str(m) for m in exc.messages])
    intake.wake()
    # Written by hand: the receipt is three plain fields, and under a burst every microsecond of the answer counts.
    replayed = "true" if receipt.replayed else "false"
    body_out = (f'{{"intake": {receipt.intake_id}, "status_url": "{_intake_status_prefix()}{receipt.intake_id}/", '
                f'"replayed": {replayed}}}')
    return HttpResponse(body_out, status=200 if receipt.replayed else 202, content_type="application/json")


@cache
def _intake_status_prefix() -> str:
    return reverse("enrolment:api_intake_status", args=[0])[:-2]


def intake_status(request: HttpRequest, pk: int) -> JsonResponse:
    """``GET /enrol/api/intake/<id>/``: 受理中, or the filed application's reference, or why it was refused."""
    user = _token_user(request) or (request.user if request.user.is_authenticated else None)
    found = Intake.objects.select_related("application").filter(pk=pk).first()
    if user is None or found is None or found.parent_id != user.pk:
        return _refused(["找不到该报名受理记录。"], 404)
    return JsonResponse(intake.status(found), json_dumps_params={"ensure_ascii": False})
