"""Test modules share code only through tests/support: none imports from another test module or conftest.

A helper imported from a test module drags that module's tests' assumptions along and breaks when
the tests move; conftest.py is for fixtures, which pytest injects by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, at any depth (functions import lazily too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            # A relative import ("from .test_x import y") is resolved against the tests package.
            found.append((node.lineno, ("tests." if node.level else "") + node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            found += [(node.lineno, f"tests.{alias.name}") for alias in node.names]
    return found


def test_tests__modules_import_helpers_only_from_tests_support() -> None:
    files = sorted({*TESTS.glob("*.py"), *TESTS.glob("support/*.py")})
    assert len(files) > 30  # the whole suite is looked at, not an empty folder
    wrong = [
        f"{path.relative_to(TESTS.parent)}:{line} imports {module}"
        for path in files
        for line, module in imported_modules(path)
        if module.startswith("tests") and not module.startswith("tests.support")
    ]
    assert wrong == []


def test_tests__the_import_check_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import tests.test_a\nfrom tests.conftest import x\nfrom . import test_b\n"
        "def f():\n    from .test_c import y\n    from tests.support.ids import valid_id\n",
        encoding="utf-8",
    )
    assert imported_modules(sample) == [
        (1, "tests.test_a"),
        (2, "tests.conftest"),
        (3, "tests.test_b"),
        (5, "tests.test_c"),
        (6, "tests.support.ids"),
    ]
