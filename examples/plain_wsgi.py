"""A plain WSGI app behind wsgicors, served by the standard library.

    python examples/plain_wsgi.py            # http://127.0.0.1:8000/api/hello

Try it from another origin:

    curl -i -H 'Origin: https://app.example.com' http://127.0.0.1:8000/api/hello
    curl -i -X OPTIONS -H 'Origin: https://app.example.com' \\
         -H 'Access-Control-Request-Method: PUT' http://127.0.0.1:8000/api/hello
"""

import json
import os
import sys
from wsgiref.simple_server import make_server

from wsgicors import CORSMiddleware


def api(environ, start_response):
    body = json.dumps({"hello": "world", "method": environ["REQUEST_METHOD"]}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("X-Request-Id", "42")])
    return [body]


app = CORSMiddleware(
    api,
    origins=["https://app.example.com", "https://*.example.com", "http://localhost:*"],
    allow_credentials=True,
    expose_headers=["x-request-id"],
    max_age=600,
)

if __name__ == "__main__":
    port = int(os.environ.get("PORT", sys.argv[1] if len(sys.argv) > 1 else 8000))
    try:
        with make_server("127.0.0.1", port, app) as server:
            print(f"serving on http://127.0.0.1:{server.server_port}/api/hello  (Ctrl-C to stop)", flush=True)
            server.serve_forever()
    except KeyboardInterrupt:
        print("stopped")
