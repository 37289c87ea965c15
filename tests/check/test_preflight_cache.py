"""The preflight cache: Access-Control-Max-Age, its default and cap, and what an entry covers."""

from __future__ import annotations

from wsgicors.check import PreflightCache, check

ORIGIN = "https://app.example"
URL = "https://api.example/data"


def _app(scripted, max_age=None, methods="PUT", headers="x-token", credentials=False):
    preflight = [("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Methods", methods),
                 ("Access-Control-Allow-Headers", headers)]
    actual = [("Access-Control-Allow-Origin", ORIGIN)]
    if credentials:
        preflight.append(("Access-Control-Allow-Credentials", "true"))
        actual.append(("Access-Control-Allow-Credentials", "true"))
    if max_age is not None:
        preflight.append(("Access-Control-Max-Age", str(max_age)))
    return scripted(preflight=preflight, actual=actual)


def _put(app, cache, **kwargs):
    kwargs.setdefault("headers", {"X-Token": "1"})
    return check(URL, ORIGIN, method="PUT", app=app, cache=cache, **kwargs)


def test_max_age_caches_the_preflight(scripted, clock):
    app, cache = _app(scripted, max_age=600), PreflightCache(clock=clock)
    _put(app, cache)
    clock.advance(599)
    second = _put(app, cache)
    assert app.methods == ["OPTIONS", "PUT", "PUT"]
    assert second.preflight_needed and second.preflight_cached
    assert [step.kind for step in second.steps] == ["request"]


def test_cached_preflight_expires_after_max_age(scripted, clock):
    app, cache = _app(scripted, max_age=600), PreflightCache(clock=clock)
    _put(app, cache)
    clock.advance(600)
    assert not _put(app, cache).preflight_cached
    assert app.methods == ["OPTIONS", "PUT", "OPTIONS", "PUT"]


def test_max_age_zero_disables_caching(scripted, clock):
    app, cache = _app(scripted, max_age=0), PreflightCache(clock=clock)
    _put(app, cache)
    _put(app, cache)
    assert app.methods.count("OPTIONS") == 2 and len(cache) == 0


def test_missing_max_age_defaults_to_five_seconds(scripted, clock):
    app, cache = _app(scripted), PreflightCache(clock=clock)
    _put(app, cache)
    clock.advance(4.9)
    assert _put(app, cache).preflight_cached
    clock.advance(0.2)
    assert not _put(app, cache).preflight_cached


def test_invalid_max_age_defaults_to_five_seconds(scripted, clock):
    app, cache = _app(scripted, max_age="ten"), PreflightCache(clock=clock)
    _put(app, cache)
    clock.advance(4)
    assert _put(app, cache).preflight_cached


def test_negative_max_age_is_not_cached(scripted, clock):
    app, cache = _app(scripted, max_age=-1), PreflightCache(clock=clock)
    _put(app, cache)
    assert not _put(app, cache).preflight_cached


def test_max_age_is_capped_at_chromiums_two_hours(scripted, clock):
    app, cache = _app(scripted, max_age=86400), PreflightCache(clock=clock)
    _put(app, cache)
    clock.advance(7199)
    assert _put(app, cache).preflight_cached
    clock.advance(2)
    assert not _put(app, cache).preflight_cached


def test_entry_does_not_cover_another_method(scripted, clock):
    app, cache = _app(scripted, max_age=600, methods="PUT, DELETE"), PreflightCache(clock=clock)
    _put(app, cache)
    result = check(URL, ORIGIN, method="PATCH", app=app, cache=cache)
    assert not result.preflight_cached and result.code == "method-not-allowed"


def test_entry_covers_a_listed_method_and_fewer_headers(scripted, clock):
    app, cache = _app(scripted, max_age=600, methods="PUT, DELETE"), PreflightCache(clock=clock)
    _put(app, cache)
    assert check(URL, ORIGIN, method="DELETE", app=app, cache=cache).preflight_cached


def test_entry_does_not_cover_an_unlisted_header(scripted, clock):
    app, cache = _app(scripted, max_age=600), PreflightCache(clock=clock)
    _put(app, cache)
    result = _put(app, cache, headers={"X-Token": "1", "X-Other": "2"})
    assert not result.preflight_cached and result.code == "header-not-allowed"


def test_entry_is_keyed_by_url(scripted, clock):
    app, cache = _app(scripted, max_age=600), PreflightCache(clock=clock)
    _put(app, cache)
    result = check(URL + "?page=2", ORIGIN, method="PUT", headers={"X-Token": "1"}, app=app, cache=cache)
    assert not result.preflight_cached


def test_entry_is_keyed_by_origin(scripted, clock):
    app, cache = _app(scripted, max_age=600), PreflightCache(clock=clock)
    _put(app, cache)
    other = check(URL, "https://other.example", method="PUT", headers={"X-Token": "1"}, app=app, cache=cache)
    assert not other.preflight_cached


def test_entry_without_credentials_does_not_serve_a_credentialed_request(scripted, clock):
    app, cache = _app(scripted, max_age=600, credentials=True), PreflightCache(clock=clock)
    _put(app, cache)
    assert not _put(app, cache, credentials=True).preflight_cached


def test_failed_preflight_drops_the_entry(scripted, clock):
    app, cache = _app(scripted, max_age=600), PreflightCache(clock=clock)
    _put(app, cache)
    _put(app, cache, headers={"X-Token": "1", "X-Other": "2"})
    assert len(cache) == 0


def test_without_a_cache_every_call_preflights(scripted):
    app = _app(scripted, max_age=600)
    _put(app, None)
    _put(app, None)
    assert app.methods.count("OPTIONS") == 2


def test_cache_is_bounded():
    cache = PreflightCache(max_entries=3)
    for index in range(10):
        cache.store(ORIGIN, f"{URL}/{index}", False, 600, ["PUT"], [])
    assert len(cache) == 3
