"""The public surface: complete, sorted, typed."""

from __future__ import annotations

from pathlib import Path

import session_rules


def test_all_is_sorted_and_complete() -> None:
    names = session_rules.__all__
    assert list(names) == sorted(names)
    for name in names:
        assert hasattr(session_rules, name), name
    public = {n for n in vars(session_rules) if not n.startswith("_")}
    # `strategies` is a public submodule, bound once something imports it.
    assert public <= set(names) | {"annotations", "strategies"}


def test_ships_type_information() -> None:
    assert (Path(session_rules.__file__).parent / "py.typed").exists()


def test_version() -> None:
    assert session_rules.__version__.count(".") == 2
