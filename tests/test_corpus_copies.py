"""The corpus copies under tests/data stay in step with the shared corpus.

The project runs its tests from its own copies, so a clone with nothing
beside it passes; when the team's shared folder is beside the clone, the
copies must equal it byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
COPIED = [
    "requests.jsonl",
    "media-types.jsonl",
    "metadata.jsonl",
    "raw-bodies.jsonl",
    "webhook-urls.jsonl",
]


@pytest.mark.parametrize("name", COPIED)
def test_copy_matches_shared_corpus(name: str) -> None:
    if not SHARED.is_dir():
        pytest.skip("no shared corpus beside this clone; the copies are used alone")
    assert (DATA / name).read_bytes() == (SHARED / name).read_bytes()


@pytest.mark.parametrize("name", COPIED)
def test_copy_is_present(name: str) -> None:
    assert (DATA / name).stat().st_size > 0
