"""The upload stage as configuration, and media-type matching."""

from __future__ import annotations

from typing import Any

import pytest

from session_rules import ConfigurationError, UploadStage


def test_from_json_round_trip() -> None:
    obj = {"minFiles": 0, "maxFiles": 3, "acceptedFormats": ["image/*", "text/csv"]}
    stage = UploadStage.from_json({**obj, "name": "ignored"})
    assert stage == UploadStage(0, 3, ("image/*", "text/csv"))
    assert stage.to_json() == obj


@pytest.mark.parametrize(
    ("obj", "words"),
    [
        ([], "JSON object"),
        ({"minFiles": 1, "maxFiles": 2}, "missing acceptedFormats"),
        ({"minFiles": 3, "maxFiles": 2, "acceptedFormats": ["a/b"]}, "above"),
        ({"minFiles": -1, "maxFiles": 2, "acceptedFormats": ["a/b"]}, "negative"),
        ({"minFiles": 1.5, "maxFiles": 2, "acceptedFormats": ["a/b"]}, "integer"),
        ({"minFiles": True, "maxFiles": 2, "acceptedFormats": ["a/b"]}, "integer"),
        ({"minFiles": "1", "maxFiles": 2, "acceptedFormats": ["a/b"]}, "integer"),
        ({"minFiles": 1, "maxFiles": 2, "acceptedFormats": []}, "empty"),
        ({"minFiles": 1, "maxFiles": 2, "acceptedFormats": "a/b"}, "list"),
        ({"minFiles": 1, "maxFiles": 2, "acceptedFormats": [3]}, "not a string"),
        ({"minFiles": 1, "maxFiles": 2, "acceptedFormats": ["png"]}, "media type"),
        ({"minFiles": 1, "maxFiles": 2, "acceptedFormats": ["image/x-*"]}, "range"),
        ({"minFiles": 1, "maxFiles": 2, "acceptedFormats": ["*/json"]}, "range"),
        ({"minFiles": 1, "maxFiles": 2, "acceptedFormats": ["*/*x"]}, "range"),
        (
            {"minFiles": 1, "maxFiles": 2, "acceptedFormats": ["text/csv; a=b"]},
            "parameters",
        ),
        ({"minFiles": 1, "maxFiles": 2, "acceptedFormats": ["text/csv;"]}, "param"),
        ({"minFiles": 1, "maxFiles": 2, "acceptedFormats": [" text/csv"]}, "media"),
    ],
)
def test_bad_stage(obj: Any, words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        UploadStage.from_json(obj)


def test_integral_float_bounds_from_json() -> None:
    stage = UploadStage.from_json(
        {"minFiles": 1.0, "maxFiles": 2.0, "acceptedFormats": ["a/b"]}
    )
    assert (stage.min_files, stage.max_files) == (1, 2)
    assert isinstance(stage.min_files, int)


@pytest.mark.parametrize(
    ("formats", "essence", "accepted"),
    [
        (("image/png",), "image/png", True),
        (("Image/PNG",), "image/png", True),
        (("image/png",), "image/jpeg", False),
        (("image/*",), "image/jpeg", True),
        (("IMAGE/*",), "image/jpeg", True),
        (("image/*",), "imagex/jpeg", False),
        (("*/*",), "x/y", True),
        (("application/json",), "application/ld+json", False),
        (("application/xml",), "application/atom+xml", False),
    ],
)
def test_accepts(formats: tuple[str, ...], essence: str, accepted: bool) -> None:
    assert UploadStage(0, 1, formats).accepts(essence) is accepted


@pytest.mark.parametrize("formats", ["image/png", b"image/png", None, {"image/png"}])
def test_formats_must_be_a_sequence(formats: Any) -> None:
    with pytest.raises(ConfigurationError, match="list of media types"):
        UploadStage(0, 1, formats)


def test_star_in_type_of_a_range() -> None:
    with pytest.raises(ConfigurationError, match="range"):
        UploadStage(0, 1, ("im*/*",))
