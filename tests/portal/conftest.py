"""Fixtures of the portal tests (from tests.fixtures)."""

from tests.fixtures import policy  # noqa: F401 - fixtures of this directory
