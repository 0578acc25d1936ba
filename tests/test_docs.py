"""The documentation stays true: generated pages, examples, the site build."""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import session_rules
from session_rules.__main__ import main as cli_main

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
#: Pages whose examples are run: a python block followed by "prints" and a
#: text block must print exactly that text.
EXAMPLE_PAGES = [
    "index.md",
    "getting-started.md",
    "embedding.md",
    "decisions.md",
    "limits.md",
    *(f"rules/{p.name}" for p in sorted((DOCS / "rules").glob("*.md"))),
]
_EXAMPLE = re.compile(
    r"```(python|sh)\n((?:(?!```).)*)```\n\nprints\n\n```text\n(.*?)```", re.DOTALL
)


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_errors", DOCS / "gen_errors.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_error_page_is_what_the_generator_writes() -> None:
    page = (DOCS / "errors.md").read_text(encoding="utf-8")
    assert page == _load_generator().render(), "run: python docs/gen_errors.py"


def test_the_error_page_covers_every_code() -> None:
    page = (DOCS / "errors.md").read_text(encoding="utf-8")
    for code in session_rules.CODES:
        assert f"\n## `{code}`\n" in page


def test_the_installed_version_is_the_package_version() -> None:
    installed = importlib.metadata.version("session-rules")
    assert installed == session_rules.__version__


def test_the_changelog_has_an_entry_for_the_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[?([^\] ]+)", changelog, flags=re.MULTILINE)
    assert session_rules.__version__ in headings


def _run_cli(command: str) -> str:
    argv = shlex.split(command)
    assert Path(argv[0]).name == "session-rules"
    out = io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(out):
        cli_main(argv[1:])
    return out.getvalue()


@pytest.mark.parametrize("page", EXAMPLE_PAGES)
def test_examples_print_what_the_page_says(page: str) -> None:
    path = DOCS / page
    if not path.exists():
        pytest.skip(f"{page} is not written yet")
    text = path.read_text(encoding="utf-8")
    examples = _EXAMPLE.findall(text)
    assert len(examples) == text.count("\n\nprints\n\n"), "a malformed example"
    namespace: dict[str, Any] = {}
    for language, code, shown in examples:
        if language == "sh":
            assert _run_cli(code.strip()) == shown
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, page, "exec"), namespace)
        assert out.getvalue() == shown


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("mkdocs is not installed: pip install -e '.[docs]'")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict",
         "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    assert (tmp_path / "index.html").exists()
    shutil.rmtree(tmp_path, ignore_errors=True)
