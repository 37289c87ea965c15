"""A WSGI app with a typical CORS mistake, for trying ``wsgicors check`` without a server.

It answers with ``Access-Control-Allow-Origin: https://app.example.com/``: a
trailing slash, so browsers refuse it (the header must equal the page's origin
byte for byte). From the ``examples`` directory:

    wsgicors check https://api.example.com/items --origin https://app.example.com --app broken:app
"""


def app(environ, start_response):
    body = b'{"items": []}'
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                              ("Access-Control-Allow-Origin", "https://app.example.com/")])
    return [body]
