"""The hook reference stays equal to the hook specifications, and every hook is documented."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path

import pytest

from alliance_notes import hookspecs

ROOT = Path(__file__).resolve().parents[1]
HOOKS = {
    name: spec for name, spec in vars(hookspecs).items() if name.startswith("alliance_") and callable(spec)
}


def test_the_generated_reference_is_current() -> None:
    spec = importlib.util.spec_from_file_location("generate_hooks", ROOT / "docs" / "generate_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8") == module.hook_reference(), (
        "docs/hooks.md is out of date: run python docs/generate_hooks.py"
    )


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_every_hook_documents_each_parameter(name: str) -> None:
    spec = HOOKS[name]
    docstring = inspect.getdoc(spec) or ""
    assert len(docstring.splitlines()) > 3, name
    for parameter in inspect.signature(spec).parameters:
        assert f":param {parameter}:" in docstring, (name, parameter)
    assert "versionadded" in docstring


def test_readme_names_every_hook() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in HOOKS:
        assert f"`{name}`" in readme, name
