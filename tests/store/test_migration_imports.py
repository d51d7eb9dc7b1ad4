"""Migrations stand alone: each imports only the store, so a later change above cannot rewrite
what an old revision did (a revision that needs a hash carries a frozen copy of it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import jpgb_terminal.store

MIGRATIONS = Path(jpgb_terminal.store.__file__).parent / "migrations"
FILES = sorted([MIGRATIONS / "env.py", *(MIGRATIONS / "versions").glob("*.py")])


def _project_imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return [n for n in names if n.split(".")[0] == "jpgb_terminal"]


def test_every_revision_is_checked() -> None:
    assert len(FILES) > 5 and all(p.suffix == ".py" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_migration_imports_nothing_above_the_store(path: Path) -> None:
    above = [n for n in _project_imports(path) if not n.startswith("jpgb_terminal.store.")]
    assert above == [], f"{path.name} imports {above}: copy what it needs into the revision"


def test_the_audit_revision_carries_its_own_hash() -> None:
    tree = ast.parse((MIGRATIONS / "versions" / "0005_audit.py").read_text(encoding="utf-8"))
    functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert "event_hash" in functions
