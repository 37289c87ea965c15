import pytest

from cors_testing import RecordingApp


@pytest.fixture
def app() -> RecordingApp:
    """A fresh recording app per test."""
    return RecordingApp()


@pytest.fixture(autouse=True)
def _fresh_log_limiter():
    """Each test sees the first occurrence of every log cause (wsgicors.logs rate-limits them)."""
    from wsgicors import logs

    logs.limited.reset()
    yield
