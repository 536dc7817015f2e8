"""API tokens that expire: a token older than ``EDUGOV_TOKEN_TTL_HOURS`` (settings; 7 days by default) no longer
authenticates, and logging in again replaces it with a new one. The data behind the API are minors' records, and a
token copied into a script or a mail outlives the reason it was made for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.EDUGOV_TOKEN_TTL_HOURS)


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + token_lifetime()


def token_expired(token: Token, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


def fresh_token(user: Any) -> Token:
    """The user's token, replaced by a new one if it has expired (the old key stops working for good)."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` as in Django REST framework, refused once the token has expired."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed(_("令牌已过期，请重新获取（POST /api/v1/auth/token/）。"))
        return user, token
