"""Flask: the policy of the view Werkzeug's URL map dispatches to, redirects followed.

A rule belongs to the blueprint whose registration added it, never to a
blueprint whose name happens to prefix its endpoint.
"""

import pytest
from flask import Blueprint, Flask

from flask_wsgicors import CORS
from routing_support import ADMIN, COMMON, EVIL, PARTNER, call, policy_options, preflight


def make_app():
    app = Flask(__name__)
    CORS(app, **policy_options("app", ADMIN))
    partner = Blueprint("partner", __name__)
    CORS(partner, **policy_options("partner", PARTNER))
    partner.add_url_rule("/partner/items/", "items", lambda: "view:partner-items", methods=["GET", "PUT"])
    app.register_blueprint(partner)
    # An app-level endpoint whose name merely looks like the blueprint's.
    app.add_url_rule("/secret", "partner.secret", lambda: "view:secret")
    return app


def test_an_app_endpoint_named_like_a_blueprint_keeps_the_app_policy():
    result = call(make_app(), "/secret", origin=PARTNER)
    assert result.view == "secret"
    assert result.values("Access-Control-Allow-Origin") == []
    assert call(make_app(), "/secret").label == "app"


def test_a_blueprints_rule_gets_the_blueprints_policy():
    assert call(make_app(), "/partner/items/").label == "partner"


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_a_preflight_to_a_redirecting_url_is_answered_with_the_targets_policy(method):
    allowed = preflight(make_app(), "/partner/items", method, origin=PARTNER)
    assert allowed.code == 204 and allowed.values("Access-Control-Allow-Origin") == [PARTNER]
    assert preflight(make_app(), "/partner/items", method, origin=ADMIN).code == 403


def test_the_redirect_itself_carries_the_targets_policy():
    result = call(make_app(), "/partner/items", origin=PARTNER)
    assert result.code == 308
    assert result.values("Access-Control-Allow-Origin") == [PARTNER]
    assert result.label == "partner"


def test_a_merged_slashes_redirect_gets_the_targets_policy():
    result = call(make_app(), "//partner//items/", origin=PARTNER)
    assert result.code == 308 and result.label == "partner"


def test_nested_blueprints_inherit_their_parents_policy():
    app = Flask(__name__)
    CORS(app, **policy_options("app", ADMIN))
    parent = Blueprint("parent", __name__)
    CORS(parent, **policy_options("parent", PARTNER))
    child = Blueprint("child", __name__)
    child.add_url_rule("/c", "c", lambda: "view:child")
    parent.register_blueprint(child, url_prefix="/child")
    app.register_blueprint(parent, url_prefix="/p")
    assert call(app, "/p/child/c").label == "parent"
    assert call(app, "/p/child/c", origin=EVIL).values("Access-Control-Allow-Origin") == []
