"""Token login for scripts and other systems; browsers use the session of the web login instead."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from edugov.api.authentication import ExpiringTokenAuthentication, fresh_token, token_expires_at
from edugov.core import audit
from edugov.core.choices import AuditAction
from edugov.core.signals import unit_of


class TokenSerializer(serializers.Serializer):  # type: ignore[type-arg]
    token = serializers.CharField(read_only=True, help_text="在请求头中使用：Authorization: Token <token>")
    expires_at = serializers.DateTimeField(read_only=True, help_text="令牌失效时间；失效后重新获取即得到新令牌")


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
                    "令牌有效期内多次获取得到同一令牌；过期后获取得到新令牌，旧令牌作废。失败的尝试记入审计日志。",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # authenticate() has sent user_login_failed, which edugov.core.signals writes to the audit trail
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token = fresh_token(user)
        # A token login does not go through django.contrib.auth.login(), so it sends user_logged_in itself.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(tags=["认证"], summary="注销 API 令牌", request=None,
                   responses={204: OpenApiResponse(description="令牌已作废")},
                   description="作废当前请求所用的令牌（用令牌认证时）。之后需重新获取令牌。")
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        credentials = ExpiringTokenAuthentication().authenticate(request)
        if credentials is None:
            raise NotAuthenticated("请使用令牌（Authorization: Token …）注销。")
        user, token = credentials
        with transaction.atomic():
            Token.objects.filter(pk=token.pk).delete()
            # the key is a secret even once revoked: the audit names the account, never the token
            audit.record(actor=user, action=AuditAction.DELETE, object_type="authtoken.Token",
                         object_id=str(user.pk), object_repr=user.get_username(), org_unit_id=unit_of(user),
                         message="注销 API 令牌")
        return Response(status=204)
