"""Kinto (a real Pyramid app that writes its own CORS headers) behind pyramid_wsgicors, memory backends.

``make()`` builds it; gunicorn calls it: ``gunicorn 'kinto_app:make()'``.
"""

from __future__ import annotations

from typing import Any

PAGE = "https://page.example"
ADMIN_PAGE = "https://admin.example"
SETTINGS = {
    "kinto.storage_backend": "kinto.core.storage.memory",
    "kinto.cache_backend": "kinto.core.cache.memory",
    "kinto.permission_backend": "kinto.core.permission.memory",
    "kinto.userid_hmac_secret": "not-a-secret-in-tests",
    "multiauth.policies": "basicauth",
    "kinto.bucket_create_principals": "system.Authenticated",
    "cors.origins": PAGE,
    "cors.allow_credentials": "true",
    "cors.expose_headers": "x-from-policy",
}


def make() -> Any:
    """Kinto with the settings' credentialed policy, the heartbeat exempt, bucket objects for ADMIN_PAGE only."""
    import warnings

    import kinto
    from pyramid.config import Configurator

    config = Configurator(settings=dict(SETTINGS))
    config.include("pyramid_wsgicors")
    config.add_cors_policy(route_name="heartbeat", enabled=False)
    config.add_cors_policy(route_name="bucket-object", origins=[ADMIN_PAGE], allow_credentials=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "HTTPS is not enabled": loopback tests
        return kinto.main({}, config=config)
