"""xlsxwriter writing N payout-like rows × 14 cells, bare: the yardstick for ``skillcli payout``.

    python benchmarks/bare_write.py 100000 out.xlsx

``constant_memory`` mode, one header row, a date and a money format, column widths: what any
payout workbook needs at the least. Issue 7: writing the payout workbook for 100k lines must take
at most 2 × this. The cell values are built from small pools before writing (about 0.1 s).
"""

from __future__ import annotations

import datetime as dt
import sys

import xlsxwriter

HEADERS = ("序号", "姓名", "身份证号码", "银行账号", "开户银行", "培训类型", "职业(工种)", "培训等级",
           "结业日期", "补贴标准(元)", "已预拨金额(元)", "应发金额(元)", "培训机构", "备注")
NAMES = ("王芳", "李伟", "张秀英", "刘洋", "陈静", "杨磊", "黄娟", "赵强", "吴敏", "周杰")
BANKS = ("中国工商银行苏州分行", "中国农业银行吴中支行", "中国建设银行姑苏支行", "苏州农村商业银行")
TYPES = ("技能提升", "岗前培训", "以工代训", "新型学徒制")
JOBS = ("电工", "焊工", "育婴员", "养老护理员", "中式烹调师")
LEVELS = ("五级/初级工", "四级/中级工", "三级/高级工", "专项能力")


def rows(n: int) -> list[tuple[object, ...]]:
    start = dt.date(2024, 6, 1).toordinal() - dt.date(1899, 12, 30).toordinal()
    out = []
    for i in range(n):
        standard = (800, 1000, 1500, 2000)[i % 4]
        advance = standard * 0.3 if i % 5 == 0 else 0.0
        out.append((
            i + 1, NAMES[i % 10], f"32050619{80 + i % 20:02d}0{1 + i % 9}1{i % 28 + 1:02d}{i % 1000:03d}X",
            f"6222{i:015d}", BANKS[i % 4], TYPES[i % 4], JOBS[i % 5], LEVELS[i % 4], start + i % 30,
            standard, advance, standard - advance, "苏州市第一职业技能培训学校",
            "补发" if i % 50 == 0 else "首次发放",
        ))
    return out


def main(n: int, target: str) -> int:
    data = rows(n)
    book = xlsxwriter.Workbook(target, {"constant_memory": True})
    sheet = book.add_worksheet("补贴发放明细")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    money = book.add_format({"num_format": "#,##0.00"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.set_column(0, 0, 7)
    sheet.set_column(1, 13, 14)
    sheet.set_column(2, 3, 21)
    sheet.freeze_panes(1, 0)
    for j, text in enumerate(HEADERS):
        sheet.write_string(0, j, text, head)
    for r, values in enumerate(data, start=1):
        sheet.write_number(r, 0, values[0])  # type: ignore[arg-type]
        for j in range(1, 8):
            sheet.write_string(r, j, values[j])  # type: ignore[arg-type]
        sheet.write_number(r, 8, values[8], date)  # type: ignore[arg-type]
        for j in (9, 10, 11):
            sheet.write_number(r, j, values[j], money)  # type: ignore[arg-type]
        sheet.write_string(r, 12, values[12])  # type: ignore[arg-type]
        sheet.write_string(r, 13, values[13])  # type: ignore[arg-type]
    book.close()
    print(f"{n} rows × {len(HEADERS)} cells written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]), sys.argv[2]))
