"""The admin label of a submission."""

from __future__ import annotations

import pytest

from session_rules import attribution_label


@pytest.mark.parametrize(
    ("user", "label"),
    [
        ({"name": "Ana", "email": "a@x", "id": "1"}, "Ana"),
        ({"email": "a@x", "id": "1"}, "a@x"),
        ({"id": "1"}, "1"),
        ({"name": " ", "email": "", "id": "1"}, "1"),
        ({"name": None, "email": 5, "id": "\u3000"}, "key: ci"),
        ({}, "key: ci"),
        (None, "key: ci"),
        ("Ana", "key: ci"),
    ],
)
def test_label(user: object, label: str) -> None:
    assert attribution_label(user, "key: ci") == label
