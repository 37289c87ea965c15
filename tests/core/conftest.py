import pytest

from cors_testing import RecordingApp


@pytest.fixture
def app() -> RecordingApp:
    """A fresh recording app per test."""
    return RecordingApp()
