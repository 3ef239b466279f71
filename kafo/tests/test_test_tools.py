"""A missing outside tool (Chromium, Java) skips its tests with what to install; in CI it fails."""

import pytest
from _pytest.outcomes import Failed, Skipped

from conftest import require_tool


def test_a_missing_tool_skips_with_the_package_to_install(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Skipped, match="sudo apt-get install chromium"):
        require_tool(False, "Chromium", "chromium")


def test_in_ci_a_missing_tool_is_a_failure(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match="openjdk-17-jre-headless"):
        require_tool(False, "Java", "openjdk-17-jre-headless")


def test_a_present_tool_runs_the_test(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert require_tool(True, "Java", "openjdk-17-jre-headless") is None
