"""Property tests (Hypothesis): money is exact, totals add up, order does not matter, runs repeat.

The money properties run on the library; the batch properties go through the real reader and
policy on generated workbooks, so they test the path a user's file takes.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillcli.money import format_yuan, parse_yuan, yuan_to_fen
from skillcli.schema.parse import parse_money
from tests.support.rosters import ATTENDANCE_HEADER, CERT_HEADER, PAYOUT_HEADER, payout_row
from tests.support.workbooks import write_xlsx

amounts = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2)


# Properties, not timings: on a shared CI machine one example can take 300 ms; Hypothesis's default
# 200 ms deadline would then fail a correct test (seen under load).
settings.register_profile("skillcli", deadline=None)
settings.load_profile("skillcli")


@given(amounts)
def test_money__format_then_parse_round_trips(value: Decimal) -> None:
    fen = yuan_to_fen(value)
    assert parse_yuan(format_yuan(fen)) == fen
    assert parse_yuan(format_yuan(fen, grouping=True)) == fen
    assert Decimal(format_yuan(fen)) == value


@given(st.decimals(min_value=Decimal(0), max_value=Decimal("9999999"), places=6, allow_nan=False))
def test_money__vectorised_parser_agrees_with_decimal_rounding(value: Decimal) -> None:
    text = format(value, "f")
    expected = int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    fen, _ = parse_money(pl.lit(text), wan=False)
    assert pl.select(fen).item() == expected
    assert parse_yuan(text) == expected


@given(st.decimals(min_value=Decimal(0), max_value=Decimal("9999"), places=4, allow_nan=False))
def test_money__wan_yuan_is_ten_thousand_yuan(value: Decimal) -> None:
    fen, _ = parse_money(pl.lit(format(value, "f")), wan=True)
    assert pl.select(fen).item() == int((value * 10000 * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# -- batches ---------------------------------------------------------------------------------------------------
TRAININGS = [
    ("岗前培训", "车工", "无等级", "企业职工"),
    ("以工代训", "车工", "无等级", "就业困难人员"),
    ("技能提升", "电工", "四级/中级工", "企业职工"),
    ("技能提升", "焊工", "三级/高级工", "企业职工"),
    ("特种作业培训", "电工", "无等级", "企业职工"),
    ("就业技能培训", "育婴员", "五级/初级工", "脱贫劳动力"),
]


def make_rows(seed: int, count: int) -> list[list[Any]]:
    """A random but valid Suzhou batch: people repeat, so E1/E2/E4 limits come into play."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        person = rng.randint(1, max(2, count // 2))
        training, occupation, level, category = rng.choice(TRAININGS)
        start = dt.date(2021, 1, 4) + dt.timedelta(days=rng.randint(0, 100))
        end = start + dt.timedelta(days=rng.randint(5, 120))
        rows.append(
            payout_row(
                person,
                f"学员{person:02d}",
                training,
                occupation,
                level,
                start.isoformat(),
                min(end, dt.date(2021, 6, 30)).isoformat(),
                category=category,
                fee=str(rng.randint(300, 1500)),
                payer=rng.choice(["个人", "企业", "机构"]),
                class_id=f"K{i:03d}",
                advance=rng.choice(["", "", "100"]),
            )
        )
    return rows


def certificates(rows: list[list[Any]]) -> list[list[Any]]:
    certs = []
    for i, r in enumerate(rows):
        if r[5] in ("技能提升", "特种作业培训"):
            kind = "职业技能等级证书" if r[5] == "技能提升" else "特种作业操作证"
            certs.append([r[1], r[0], f"C{i:05d}", kind, r[6], r[7], r[9], "是"])
    return [CERT_HEADER, *certs]


def attendance(rows: list[list[Any]]) -> list[list[Any]]:
    return [
        ATTENDANCE_HEADER,
        *([r[1], r[0], r[17], 10, 9] for r in rows if r[5] == "就业技能培训"),
    ]


def run(run_cli: Any, tmp: Path, rows: list[list[Any]], name: str) -> tuple[Any, Path]:
    batch = write_xlsx(
        tmp / f"{name}.xlsx", {"花名册": [PAYOUT_HEADER, *rows], "证书": certificates(rows), "考勤": attendance(rows)}
    )
    out = tmp / f"out-{name}"
    result = run_cli("payout", batch, "--policy", "suzhou-2019", "--period", "2021-06", "--out", out, "--json")
    assert result.code in (0, 1), result.stderr
    return result, out


def lines_of(out: Path) -> list[tuple[str, ...]]:
    text = (out / "payouts.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    return sorted(tuple(line.split(",")) for line in text)


batch_settings = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@batch_settings
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=2, max_value=16))
def test_batch__lines_sum_to_the_control_total_and_rows_balance(
    run_cli: Any, tmp_path_factory: Any, seed: int, count: int
) -> None:
    tmp = tmp_path_factory.mktemp("sum")
    result, out = run(run_cli, tmp, make_rows(seed, count), "b")
    payload = result.json
    counts = payload["counts"]
    assert counts["paid"] + counts["exception"] + counts["ineligible"] == counts["rows"] == count
    total = sum(Decimal(line[8]) for line in lines_of(out))
    assert int(total * 100) == payload["totals_fen"]["total_fen"]
    assert sum(line["amount_fen"] for line in payload["lines"]) == payload["totals_fen"]["total_fen"]
    assert all(line["amount_fen"] > 0 for line in payload["lines"])


@batch_settings
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=2, max_value=12), st.randoms())
def test_batch__row_order_does_not_change_the_payout(
    run_cli: Any, tmp_path_factory: Any, seed: int, count: int, shuffler: random.Random
) -> None:
    tmp = tmp_path_factory.mktemp("order")
    rows = make_rows(seed, count)
    # Keep the earliest-first tie-break meaningful: distinct end dates per person make the order of
    # E1/E2 decisions independent of input order, which is what the policy prescribes.
    seen: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r[1], r[9])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            end = dt.date.fromisoformat(r[9]) - dt.timedelta(days=seen[key])
            r[9] = max(end, dt.date.fromisoformat(r[8])).isoformat()
    first, out_a = run(run_cli, tmp, rows, "a")
    shuffled = rows[:]
    shuffler.shuffle(shuffled)
    second, out_b = run(run_cli, tmp, shuffled, "b")
    assert lines_of(out_a) == lines_of(out_b)
    assert first.json["counts"] == second.json["counts"]


def test_batch__two_runs_give_identical_files(run_cli: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    rows = make_rows(7, 14)
    batch = write_xlsx(
        tmp_path / "same.xlsx", {"花名册": [PAYOUT_HEADER, *rows], "证书": certificates(rows), "考勤": attendance(rows)}
    )
    outs = []
    for name in ("x", "y"):
        out = tmp_path / name
        result = run_cli("payout", batch, "--policy", "suzhou-2019", "--period", "2021-06", "--out", out, "--json")
        outs.append((out, result.stdout))
    (a, json_a), (b, json_b) = outs
    assert json_a == json_b
    for name in ("payouts.csv", "exceptions.csv", "ineligible.csv", "manifest.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    import openpyxl

    book_a, book_b = openpyxl.load_workbook(a / "payouts.xlsx"), openpyxl.load_workbook(b / "payouts.xlsx")
    assert book_a.sheetnames == book_b.sheetnames
    for sheet in book_a.sheetnames:
        values_a = [[c.value for c in r] for r in book_a[sheet].iter_rows()]
        values_b = [[c.value for c in r] for r in book_b[sheet].iter_rows()]
        assert values_a == values_b, sheet
