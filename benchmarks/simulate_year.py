"""``skillcli simulate`` over a year of committed lines (issue 17: 100k lines in under a minute).

    .venv/bin/python benchmarks/simulate_year.py                 # 100 000 lines, 12 monthly runs
    .venv/bin/python benchmarks/simulate_year.py --lines 12000   # a smaller year

Builds a fresh SQLite ledger in a temporary folder: twelve monthly batches of 2021 (a Parquet
花名册 and 证书 each, 技能提升 under rules/suzhou-2019.yaml, every person once in the year, a third
of them in the shortage occupation 电工) committed with ``skillcli payout --commit``. Then times
``skillcli simulate 2021 --param shortage_multiplier=1.5 --out simulate.xlsx`` and prints the
seconds, the lines simulated and the budget difference. Not a test: the figure goes in the report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The benchmark generator beside this script (its directory is put on the path just above).
from generate import id_check, uscc_check

ROSTER = (
    "姓名", "身份证号码", "人员类别", "单位名称", "统一社会信用代码", "培训类型", "职业(工种)", "培训等级",
    "开班日期", "结业日期", "培训机构", "机构统一社会信用代码", "出资方", "是否参保", "是否领取养老金", "考核结果",
    "班级编号",
)
CERTS = ("身份证号码", "姓名", "证书编号", "证书类型", "职业(工种)", "等级", "发证日期", "是否本市取证")
ENTERPRISE = ("苏州精工机械有限公司", "91320506MA1MCGQ3X" + uscc_check("91320506MA1MCGQ3X"))
INSTITUTION = ("吴中区职业技能培训学校", "52320506MJ1234567" + uscc_check("52320506MJ1234567"))
OCCUPATIONS = ("电工", "车工", "钳工")
LEVELS = ("五级/初级工", "四级/中级工", "三级/高级工")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def person_id(i: int) -> str:
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=i % 9000)
    body = f"320506{birth:%Y%m%d}{i // 9000:03d}"
    return body + id_check(body)


def month_batch(folder: Path, month: int, first: int, count: int) -> list[Path]:
    """A month's 花名册 and 证书 as Parquet (every value as text, as a system export gives them)."""
    end = dt.date(2021, month, 20)
    start = end - dt.timedelta(days=40)
    roster, certs = [], []
    for i in range(first, first + count):
        pid, name = person_id(i), SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[(i // 400) % 20]
        occupation, level = OCCUPATIONS[i % 3], LEVELS[(i // 3) % 3]
        roster.append(
            (name, pid, "企业职工", *ENTERPRISE, "技能提升", occupation, level, start.isoformat(), end.isoformat(),
             *INSTITUTION, "个人", "是", "否", "合格", f"C{month:02d}{i // 40:05d}")
        )
        certs.append((pid, name, f"S{i:021d}", "职业技能等级证书", occupation, level, end.isoformat(), "是"))
    files = [folder / f"{month:02d}" / "花名册.parquet", folder / f"{month:02d}" / "证书.parquet"]
    files[0].parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(roster, schema=list(ROSTER), orient="row").write_parquet(files[0])
    pl.DataFrame(certs, schema=list(CERTS), orient="row").write_parquet(files[1])
    return files


def cli(*args: object) -> int:
    from skillcli.cli.app import main

    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000, help="committed lines in the year")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="skillcli-simulate-") as tmp:
        folder = Path(tmp)
        ledger = folder / "ledger.sqlite"
        per_month, first = -(-args.lines // 12), 0
        started = time.perf_counter()
        for month in range(1, 13):
            count = min(per_month, args.lines - first)
            files = month_batch(folder, month, first, count)
            code = cli("payout", *files, "--policy", "suzhou-2019", "--period", f"2021-{month:02d}",
                       "--out", folder / f"out{month:02d}", "--commit", "--ledger", ledger, "--quiet")
            if code not in (0, 1):
                print(f"payout for 2021-{month:02d} exited {code}", file=sys.stderr)
                return 1
            first += count
        setup = time.perf_counter() - started
        started = time.perf_counter()
        code = cli("simulate", "2021", "--param", "shortage_multiplier=1.5", "--ledger", ledger,
                   "--out", folder / "simulate.xlsx", "--quiet")
        seconds = time.perf_counter() - started
        if code != 0:
            print(f"simulate exited {code}", file=sys.stderr)
            return 1
        from skillcli.ledger.store import Ledger

        status = Ledger.open(str(ledger)).status()
        print(f"ledger built in {setup:.1f} s: {status['runs']} runs, {status['lines']} lines")
        print(f"simulate 2021 --param shortage_multiplier=1.5: {seconds:.1f} s for {status['lines']} lines"
              f" ({'under' if seconds < 60 else 'NOT under'} a minute)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
