"""What a CLI run returns to a test, and the JSON findings flattened for comparison."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PERIOD = "2024-06"  # every test runs against a fixed batch month so results never depend on today


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def findings(result: Result | dict[str, Any]) -> list[tuple[int | None, str, str]]:
    """The JSON findings flattened to (Excel row, column as written, code)."""
    payload = result.json if isinstance(result, Result) else result
    return [(f["row"], f["column"], f["code"]) for f in payload["findings"]]


def codes(result: Result) -> set[str]:
    return {f["code"] for f in result.json["findings"]}


def by_code(result: Result, code: str) -> list[tuple[int | None, str, str]]:
    return [f for f in findings(result) if f[2] == code]


def sheet_info(result: Result, name: str | None = None) -> dict[str, Any]:
    """The JSON summary of the first sheet read, or of the sheet ``name``: header row, columns, rows."""
    sheets = [s for f in result.json["files"] for s in f["sheets"]]
    return sheets[0] if name is None else next(s for s in sheets if s["sheet"] == name)
