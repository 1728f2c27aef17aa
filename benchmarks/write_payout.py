"""Writing the payout workbook for N lines: skillcli's writer against bare xlsxwriter, same cells.

    python benchmarks/write_payout.py 100000 OUT_DIR skillcli|bare

``skillcli`` times ``skillcli.report.payout.write_payout`` (payouts.xlsx with 汇总/明细/异常/
不符合条件/说明 plus the three CSVs and the manifest) for a decision in which every row is paid;
``bare`` times xlsxwriter writing the 明细 cells of the same lines with the same number formats and
nothing else. Only the writing is timed; the printed seconds are what run.py reads.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def decision_for(rows: int, tmp: Path):  # type: ignore[no-untyped-def]
    """A Suzhou batch of ``rows`` 岗前培训 trainees, all paid 300 元 (A5), as a Decision."""
    import polars as pl

    from skillcli.payout import decide
    from skillcli.pipeline import load_batch, parse_period
    from skillcli.rules.cases import id_for, uscc_for
    from skillcli.rules.load import load_policy

    roster = pl.DataFrame({
        "姓名": [f"学员{i}" for i in range(rows)],
        "身份证号码": [id_for(f"P{i}") for i in range(rows)],
        "单位名称": ["苏州精工机械有限公司"] * rows,
        "统一社会信用代码": [uscc_for("E1")] * rows,
        "培训类型": ["岗前培训"] * rows,
        "职业(工种)": ["车工"] * rows,
        "培训等级": ["无等级"] * rows,
        "开班日期": ["2021-05-06"] * rows,
        "结业日期": ["2021-05-10"] * rows,
        "考核结果": ["合格"] * rows,
        "班级编号": [f"K{i}" for i in range(rows)],
    })
    path = tmp / "花名册.parquet"
    roster.write_parquet(path)
    batch = load_batch([path], parse_period("2021-06", dt.date(2021, 7, 1)))
    return batch, decide(batch, load_policy(ROOT / "rules" / "suzhou-2019.yaml")), path


def main(rows: int, out: Path, which: str) -> float:
    out.mkdir(parents=True, exist_ok=True)
    batch, decision, source = decision_for(rows, out)
    start = time.perf_counter()
    if which == "skillcli":
        from skillcli.io.writer import OutputSet
        from skillcli.report.payout import write_payout

        with OutputSet(out / "skillcli") as outputs:
            write_payout(outputs, batch, decision, [source])
            outputs.commit()
    else:
        book = xlsxwriter.Workbook(str(out / "bare.xlsx"), {"constant_memory": True})
        money = book.add_format({"num_format": "#,##0.00"})
        sheet = book.add_worksheet("明细")
        for i, line in enumerate(decision.lines.iter_rows(named=True), start=1):
            sheet.write_row(i, 0, [i, line["name"], line["person_id"], line["subsidy"], line["occupation"],
                                   line["level"], line["training_type"], line["payee_type"], line["payee_id"],
                                   line["payee_name"]])
            sheet.write_number(i, 10, line["entitlement_fen"] / 100, money)
            sheet.write_number(i, 11, 0, money)
            sheet.write_number(i, 12, line["amount_fen"] / 100, money)
            sheet.write_row(i, 13, [line["rule"], line["clause"], line["formula"], line["_sheet"]])
        book.close()
    elapsed = time.perf_counter() - start
    print(f"{which} {decision.lines.height} lines written in {elapsed:.3f} s")
    return elapsed


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main(int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
