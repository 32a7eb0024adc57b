"""The one country check of intake, registration, routing rules and the guide."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from liaison.instruments import validate_country


@pytest.mark.parametrize(("written", "code"), [("DE", "DE"), ("de", "DE"), (" fr ", "FR")])
def test_a_country_code_is_trimmed_and_upper_cased(written: str, code: str) -> None:
    assert validate_country(written, field="jurisdiction") == code


@pytest.mark.parametrize("written", ["XX", "Germany", "", "D"])
def test_anything_else_is_a_field_error_with_one_code(written: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_country(written, field="jurisdiction")
    [error] = excinfo.value.error_dict["jurisdiction"]
    assert error.code == "invalid_country"
    assert f"{written!r} is not an ISO 3166-1 alpha-2 country code" in error.messages[0]


def test_canonical_refuses_a_code_not_written_as_stored() -> None:
    assert validate_country("DE", field="countries", canonical=True) == "DE"
    with pytest.raises(ValidationError) as excinfo:
        validate_country("de", field="countries", canonical=True)
    [error] = excinfo.value.error_dict["countries"]
    assert error.code == "invalid_country"
    assert "in capitals" in error.message
