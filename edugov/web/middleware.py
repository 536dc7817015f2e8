"""Chinese first: the interface language is Simplified Chinese unless the user has chosen another one in the header.

Django's LocaleMiddleware also follows the browser's Accept-Language, so a bureau PC with an English Windows would
get English pages nobody asked for. This middleware honours only the language cookie that the header's language
switch (django.views.i18n.set_language) writes. To use it, put it in MIDDLEWARE in place of
django.middleware.locale.LocaleMiddleware (same position: after SessionMiddleware, before CommonMiddleware).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
