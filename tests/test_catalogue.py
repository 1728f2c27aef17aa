"""The catalogue of finding codes holds together: docs, templates, slugs, and real inputs for each.

The coverage test builds one tiny input per catalogued code, runs it through ``skillcli check``
and asserts that the code comes out. A catalogued code that no input can trigger is a catalogue
bug, and so is a code literal in the source that the catalogue does not know.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from skillcli.findings import CATALOGUE, catalogue_markdown
from skillcli.model import Severity
from tests.support.cli import PERIOD
from tests.support.corpus import CORPUS, NO_PERIOD

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "skillcli"
AREAS = (
    "file",
    "sheet",
    "cell",
    "row",
    "name",
    "id",
    "sex",
    "uscc",
    "phone",
    "account",
    "date",
    "value",
    "level",
    "money",
    "number",
    "roster",
    "attendance",
    "cert",
)
SLUG_RE = re.compile(r"^[a-z]+\.[a-z0-9]+(?:-[a-z0-9]+)*$")
# The literal scan covers the payout's, the ledger's, the limits', the policy's, the vouchers' and the
# diff's codes too (a file name such as diff.xlsx is not a code).
LITERAL_AREAS = (*AREAS, "payout", "ledger", "limit", "policy", "voucher", "diff")
CODE_LITERAL_RE = re.compile(
    rf"^(?:{'|'.join(LITERAL_AREAS)})\.(?!(?:xlsx|csv|json|md|toml)$)[a-z0-9]+(?:-[a-z0-9]+)*$"
)


# -- the catalogue itself ----------------------------------------------------------------------
def test_catalogue__docs_file_is_generated_from_the_catalogue():
    docs = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    assert docs == catalogue_markdown(), "docs/findings.md drifted: run `make docs`"


def test_catalogue__every_code_has_templates_slug_and_severity():
    assert CATALOGUE
    for slug, code in CATALOGUE.items():
        assert slug == code.slug
        assert SLUG_RE.match(slug), f"{slug} is not area.kebab-case"
        assert slug.split(".", 1)[0] == code.area
        assert code.zh.strip() and code.en.strip(), slug
        assert isinstance(code.severity, Severity)
        # Templates may only name the three fields a finding carries, the two parts of a "count; closest"
        # detail and the column's accepted values (see the findings module).
        fields = {"column", "value", "detail", "count", "closest", "choices"}
        for template in (code.zh, code.en):
            assert set(re.findall(r"\{(\w*)\}", template)) <= fields, slug
        # The Chinese message is Chinese, the English one is not.
        assert re.search(r"[\u4e00-\u9fff]", code.zh), slug
        # (Chinese values quoted inside the English text, such as 是/否 or level names, are fine.)
        assert re.search(r"[A-Za-z]{3}", code.en), slug


def test_findings__emit_takes_severity_from_the_catalogue_and_refuses_an_unknown_code():
    import polars as pl

    from skillcli.findings import emit, is_blocking

    rows = pl.DataFrame(
        {
            "_file": ["a.xlsx"] * 3,
            "_sheet": ["花名册"] * 3,
            "_row": [2, 3, 4],
            "_rid": [0, 1, 2],
            "id_number": ["X1", "X2", None],
            "problem": ["id.checksum", None, "phone.format"],
        }
    )
    found = emit(rows, pl.col("problem"), "phone", pl.lit("138"), keep=("_rid",))
    # One finding per row with a code, keyed by its row, its severity from the catalogue; only the
    # error holds its row.
    assert found.select("_file", "_sheet", "_row", "canonical", "code", "severity", "person_id", "_rid").rows() == [
        ("a.xlsx", "花名册", 2, "phone", "id.checksum", "error", "X1", 0),
        ("a.xlsx", "花名册", 4, "phone", "phone.format", "warning", None, 2),
    ]
    assert found.select(is_blocking(pl.col("code"))).to_series().to_list() == [True, False]
    with pytest.raises(KeyError, match=r"id\.no-such-code"):
        emit(rows, pl.lit("id.no-such-code"), "id_number", pl.col("id_number"))


def test_catalogue__docs_list_every_code_once():
    docs = catalogue_markdown()
    for slug in CATALOGUE:
        assert docs.count(f"`{slug}`") == 1, slug


def test_catalogue__every_code_literal_in_the_source_is_catalogued():
    literals: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and CODE_LITERAL_RE.match(text):
                literals[text] = str(path.relative_to(ROOT))
    assert literals, "the scan found no code literal at all"
    unknown = {code: where for code, where in literals.items() if code not in CATALOGUE}
    assert not unknown, f"codes emitted but not catalogued: {unknown}"


def test_catalogue__check_registry_declares_only_catalogued_codes():
    from skillcli.schema.checks import REGISTRY

    declared = {code for _, codes in REGISTRY for code in codes}
    assert declared
    assert declared <= set(CATALOGUE)


# -- one tiny input per code -------------------------------------------------------------------
IN_SCOPE = sorted(slug for slug, code in CATALOGUE.items() if code.area in AREAS)


def test_catalogue__corpus_names_only_catalogued_codes():
    assert set(CORPUS) <= set(CATALOGUE), set(CORPUS) - set(CATALOGUE)


@pytest.mark.parametrize("slug", IN_SCOPE)
def test_catalogue__every_code_is_emitted_by_some_input(slug, tmp_path, run_cli):
    assert slug in CORPUS, f"{slug}: no input in the corpus triggers it (a catalogue bug if none can)"
    args = CORPUS[slug](tmp_path)
    period = [] if slug in NO_PERIOD else ["--period", PERIOD]
    result = run_cli("check", *args, "--json", *period, "--show-ids")
    assert result.code in (0, 1), result.stderr
    emitted = [f for f in result.json["findings"] if f["code"] == slug]
    assert emitted, f"{slug} not emitted; got {[f['code'] for f in result.json['findings']]}"
    finding = emitted[0]
    assert finding["severity"] == CATALOGUE[slug].severity.value
    assert finding["message_zh"] and finding["message_en"]
    assert "{" not in finding["message_zh"] + finding["message_en"]
    # An error makes the run exit 1; a warning alone never does.
    errors = [f for f in result.json["findings"] if f["severity"] == "error"]
    assert result.code == (1 if errors else 0)
