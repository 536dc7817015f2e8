"""Token login for scripts and other systems; browsers use the session of the web login instead."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle


class TokenSerializer(serializers.Serializer):  # type: ignore[type-arg]
    token = serializers.CharField(read_only=True, help_text="在请求头中使用：Authorization: Token <token>")


class TokenLoginView(ObtainAuthToken):
    # No authentication classes: a stale browser session must not turn a login into a CSRF failure.
    authentication_classes = ()
    serializer_class = AuthTokenSerializer
    # Password guessing is slowed per client address (rate in settings: REST_FRAMEWORK DEFAULT_THROTTLE_RATES).
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "login"

    @extend_schema(
        tags=["认证"], summary="获取 API 令牌", request=AuthTokenSerializer,
        responses={200: TokenSerializer, 400: OpenApiResponse(description="用户名或密码错误（已记入审计日志）")},
        description="用用户名和密码换取令牌，之后在请求头中发送 `Authorization: Token <令牌>`。"
                    "同一用户多次获取得到同一令牌。失败的尝试记入审计日志。",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # authenticate() has sent user_login_failed, which edugov.core.signals writes to the audit trail
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        # A token login does not go through django.contrib.auth.login(), so it sends user_logged_in itself.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response({"token": token.key})
