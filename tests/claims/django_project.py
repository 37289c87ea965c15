"""A minimal Django project for the django-cors-headers claims: settings and URLs.

``configure()`` sets Django up once per process; tests change the CORS
settings with ``django.test.override_settings`` (django-cors-headers reads them
on every request).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path


def items(request: Any) -> HttpResponse:
    response = HttpResponse("ok", content_type="text/plain")
    response["Vary"] = "Accept-Encoding"
    return response


urlpatterns = [path("api", items)]


def configure() -> Any:
    """The Django WSGI handler with ``corsheaders`` installed (first call configures Django)."""
    import django
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    if not settings.configured:
        settings.configure(
            DEBUG=False, SECRET_KEY="claims-only", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__,
            INSTALLED_APPS=["corsheaders"], USE_TZ=True, DATABASES={},
            MIDDLEWARE=["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"],
        )
        django.setup()
    return WSGIHandler()
