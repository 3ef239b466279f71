"""The WSGI application (gunicorn: config/gunicorn.conf.py; runserver: `kafo demo`).

It refuses to serve in production with the development secret key: sessions, CSRF tokens and
password-reset links would be signed with a key anyone can read in this repository.
"""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def refuse_development_key() -> None:
    from django.conf import settings

    if not settings.DEVELOPMENT and settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        raise ImproperlyConfigured(
            "KAFO_SECRET_KEY n'est pas défini : Kafo refuse de servir en production avec la clé "
            "de développement (README, « Production »). Pour une démonstration locale : "
            "KAFO_ENV=development ou `kafo demo`."
        )


refuse_development_key()
