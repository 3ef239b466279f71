"""Which language a request is answered in: French, the zone's language, unless the user chose.

Pages: the language the user picked in the menu (Django's language cookie), else French — a
browser set to English does not turn the site English by itself. The JSON API (`/api/`) also
honours Accept-Language: there a client program asks for its language explicitly.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def language_for(request) -> str:
    if request.path.startswith("/api/"):
        return translation.get_language_from_request(request)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware with `language_for` deciding the language."""

    def process_request(self, request):
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
