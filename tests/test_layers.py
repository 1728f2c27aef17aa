"""The layers of skillcli, kept by a test instead of by review (issue 14 item 3, STYLE.md principle 9).

Every ``import`` in ``src/skillcli`` is read from the syntax tree, including imports inside functions
and under ``TYPE_CHECKING`` (a lazy import is still an arrow), and resolved to the module it loads.
A module may import only from its own package or from a lower layer; two names in one layer are
independent of each other; and no two modules may import each other through any path (a circle).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Bottom to top. A name is a top-level module or package of skillcli; "skillcli" is the package's
# own __init__. Names sharing a tuple must not import each other.
LAYERS: list[tuple[str, ...]] = [
    # The vocabulary, importing nothing from skillcli. The version has a module of its own (the ledger
    # and the reports read it) because the package's __init__ re-exports the api (top layer below).
    ("version", "errors", "faults", "text", "money", "model"),
    # The findings catalogue is data about model's Finding; everything that reports a problem uses it.
    ("findings",),
    # io reads and writes files and knows nothing of what a roster means.
    ("io",),
    # config reads skillcli.toml and rewrites it atomically through io.writer; ledger and reconcile
    # read it, so it sits just above io.
    ("config",),
    # schema gives the columns their meaning (types, checks) over what io read.
    ("schema",),
    # pipeline loads a batch: read, normalise, validate, findings.
    ("pipeline",),
    ("rules",),
    ("payout",),
    # The ledger records payouts, so it knows what a payout line is.
    ("ledger",),
    # The four consumers of the ledger are independent of one another.
    ("reconcile", "vouchers", "diff", "replay"),
    ("report",),
    ("api",),
    # The entry points: docs.py renders the catalogue for `make docs`; `python -m skillcli` runs the cli.
    ("cli", "docs"),
    # The package's __init__ re-exports the api's functions for library users (lazily, at first use).
    ("skillcli",),
    ("__main__",),
]

# Libraries only one part of skillcli may import: the Excel readers and writers stay in io/, the
# database in ledger/ (and the CLI edge, which translates a database error into a one-line message).
CONFINED = {"fastexcel": {"io"}, "openpyxl": {"io"}, "xlsxwriter": {"io"}, "sqlalchemy": {"ledger", "cli"}}

def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted((SRC / "skillcli").rglob("*.py"))}


def _dotted(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """Every module ``name`` imports (absolute dotted names, any package), with the line."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from skillcli.io import layout` loads the module skillcli.io.layout.
            yield from (
                (f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base, node.lineno) for a in node.names
            )


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """The skillcli modules ``name`` imports, with the line of each import."""
    for dotted, line in _dotted(name, path):
        target = dotted
        while target not in MODULES and "." in target:
            target = target.rpartition(".")[0]
        if target in MODULES and target != name:
            yield target, line


ARROWS = {(name, target): line for name, path in MODULES.items() for target, line in _imports(name, path)}
RANK = {top: (rank, column) for rank, names in enumerate(LAYERS) for column, top in enumerate(names)}


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "skillcli"


def _where(arrow: tuple[str, str]) -> str:
    return f"{MODULES[arrow[0]].relative_to(SRC.parent)}:{ARROWS[arrow]}: {arrow[0]} imports {arrow[1]}"


def _upward() -> set[tuple[str, str]]:
    wrong = set()
    for importer, imported in ARROWS:
        (low, low_col), (high, high_col) = RANK[_top(imported)], RANK[_top(importer)]
        if low > high or (low == high and low_col != high_col):
            wrong.add((importer, imported))
    return wrong


def _in_circles(arrows: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The arrows a → b where b leads back to a: every import that closes a circle."""
    graph: dict[str, set[str]] = {}
    for importer, imported in arrows:
        graph.setdefault(importer, set()).add(imported)

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    return {(a, b) for a, b in arrows if a in reach(b)}


def test_layers__every_package_has_a_layer() -> None:
    assert {_top(m) for m in MODULES} - RANK.keys() == set()


def test_layers__no_import_points_upward_or_sideways() -> None:
    wrong = sorted(_upward())
    assert not wrong, "imports against the layers:\n" + "\n".join(_where(a) for a in wrong)


def test_layers__no_circle_between_modules() -> None:
    circles = sorted(_in_circles(set(ARROWS)))
    assert not circles, "modules that import each other in a circle:\n" + "\n".join(_where(a) for a in circles)


def test_layers__excel_and_database_libraries_stay_in_their_package() -> None:
    wrong = [
        f"{path.relative_to(SRC.parent)}:{line}: {name} imports {dotted}"
        for name, path in MODULES.items()
        for dotted, line in _dotted(name, path)
        if _top(name) not in CONFINED.get(dotted.split(".")[0], {_top(name)})
    ]
    assert not wrong, "\n".join(wrong)


def test_layers__scan_sees_lazy_relative_and_type_only_imports(tmp_path: Path) -> None:
    module = tmp_path / "fake.py"
    module.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from skillcli.ledger.store import Ledger\n"
        "def f():\n    from ..io import layout\n    from . import funds\n    import os.path\n",
        encoding="utf-8",
    )
    found = sorted(_imports("skillcli.report.fake", module))
    assert found == [("skillcli.io.layout", 5), ("skillcli.ledger.store", 3), ("skillcli.report.funds", 6)]
    # A lazy import in the real code is an arrow too: config writes its file through io.writer.
    assert ("skillcli.config", "skillcli.io.writer") in ARROWS
