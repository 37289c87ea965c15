"""Cacheable applications behind wsgicors, served by gunicorn for the shared-cache tests.

Every response says ``Cache-Control: public, max-age=300``, so a shared cache
stores it; the body names no origin, so only the CORS headers differ.
"""

from wsgicors import CORSMiddleware

ALLOWED_A = "https://a.example"
ALLOWED_B = "https://b.example"


def resource(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Cache-Control", "public, max-age=300")])
    return [b"public data\n"]


#: Two allowed origins, credentialed: the answer depends on Origin.
listed = CORSMiddleware(resource, origins=[ALLOWED_A, ALLOWED_B], allow_credentials=True)
#: Any origin: the same answer for everyone, Origin or not.
star = CORSMiddleware(resource, origins="*")
