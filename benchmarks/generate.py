"""Seeded roster workbooks for the benchmarks: realistic valid data with ~1 % planted mistakes.

    python benchmarks/generate.py --rows 10000 --format xlsx      # prints the cached path

Each file is cached under ``benchmarks/data/`` (git-ignored), keyed by rows, seed and
``GENERATOR_VERSION``, so a rerun of ``make bench`` reads the files it made last time.

* ``xlsx``: a workbook with a 花名册 sheet and a 考勤 sheet (one attendance row per trainee), each
  with a merged title row and a 填报单位 line above the header and a 合计 row at the end, written by
  xlsxwriter in ``constant_memory`` mode. Dates are a mix of real date cells and text in the forms
  the schema accepts; fees, days and hours are number cells; IDs, phones and codes are text.
* ``parquet`` / ``csv``: the roster alone, header in the first row, every value as text (a
  province-year exported from a system, as ``skillcli check`` accepts it).

Rows are generated in order from the seed (row ``i`` from the seed, ``i`` and the IDs used before
it), so the 125k file is a prefix of the 1M one. IDs are unique unless a duplicate is planted.
The mistakes are planted per row with a fixed probability each (about 1 % of rows in all):
wrong ID check character, wrong credit-code check character, impossible or month-only dates,
start after end, end after the period (2024-06), a short phone, an unknown level or training
type, the same person twice in a class, and attendance rows whose ID is not on the roster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SEED = 20240601
GENERATOR_VERSION = 2
PERIOD = "2024-06"  # every valid end date lies on or before 2024-06-30
CLASS_SIZE = 40

ROSTER_HEADERS = (
    "序号", "姓名", "身份证号码", "性别", "手机号码", "人员类别", "单位名称", "统一社会信用代码", "培训类型",
    "职业(工种)", "培训等级", "开班日期", "结业日期", "培训机构", "培训费用", "班级编号",
)
ATTENDANCE_HEADERS = (
    "序号", "身份证号码", "姓名", "班级编号", "应出勤天数", "实际出勤天数", "线上学时", "线下学时", "总学时",
)

# Probability per row of each planted mistake (about 1 % of rows in all).
PLANT = {
    "id_check": 0.003,       # wrong GB 11643 check character
    "uscc_check": 0.001,     # wrong GB 32100 check character
    "bad_date": 0.002,       # 2024-02-30, 2024.13.05, 2024年5月 (month only)
    "swapped": 0.001,        # start after end
    "after_period": 0.001,   # end in July 2024
    "phone": 0.001,          # 10 digits
    "level": 0.0005,         # 六级
    "training_type": 0.0005,  # 技能培训班
    "duplicate": 0.0005,     # same person as the row before, same class
}
NOT_ON_ROSTER = 0.002  # attendance rows whose ID is nobody's on the roster
# The payout shape (issue 16): the same rows plus the three columns the Suzhou rules ask for, and
# nine classes in ten 岗前培训 (A5, 300 元 to the employer) so that about 90 % of rows are paid.
PAYOUT_HEADERS = ("是否参保", "是否领取养老金", "考核结果")
PAYOUT_A5_SHARE = 0.9

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红梅鹏辉华飞鑫波宇浩凯健俊帆帅旭宁婷雪琳晨欣怡"
    "子涵梓轩浩然宇航思远嘉怡雨桐佳琪志强建国秀珍海燕文博晓东春生秋菊冬梅立新永红德明小龙天佑"
)
# Today's district codes (GB/T 2260); people may have been born before some of them existed.
AREAS = (
    "110101", "110105", "110108", "110112", "120104", "130104", "140105", "210102", "220102", "230103",
    "310104", "310115", "320106", "320506", "320508", "320583", "330106", "330110", "340104", "350203",
    "360111", "370102", "370212", "410105", "420111", "430104", "440106", "440305", "450103", "500103",
    "510107", "520102", "530102", "610113", "620102", "650102",
)
CATEGORIES = ("企业职工", "企业职工", "企业职工", "农村转移劳动力", "高校毕业生", "城镇登记失业人员",
              "就业困难人员", "脱贫劳动力", "退役军人", "残疾人")
TRAINING_TYPES = ("岗前培训", "以工代训", "技能提升", "技能提升", "新型学徒制", "就业技能培训",
                  "专项能力培训", "特种作业培训")
OCCUPATIONS = ("电工", "焊工", "育婴员", "养老护理员", "中式烹调师", "保育师", "美容师", "汽车维修工", "钳工",
               "数控车工", "电子商务师", "家政服务员", "健康管理师", "茶艺师", "西式面点师", "互联网营销师",
               "叉车司机", "网约配送员", "农业经理人", "砌筑工")
LEVELS = ("五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "初级工", "中级工", "高级工", "专项能力",
          "无等级")
FEES = (600, 800, 900, 1000, 1200, 1500, 1800, 2000, 2400, 3000)
CITIES = ("苏州", "无锡", "常州", "南通", "杭州", "宁波", "合肥", "武汉", "成都", "西安", "郑州", "长沙")
TRADES = ("精密机械", "电子科技", "纺织", "食品", "物流", "建筑工程", "家政服务", "汽车零部件", "新材料",
          "医疗器械", "餐饮管理", "智能装备")
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DATE_FORMS = ("cell", "cell", "cell", "dot", "slash", "cjk", "compact")
MONTH_START = dt.date(2024, 1, 1)


def id_check(body17: str) -> str:
    from stdnum.cn import ric

    # python-stdnum 2.2: ric.calc_check_digit drops the *last* character of its argument (it expects
    # the full 18-character number), so the 17-digit body needs a placeholder appended.
    return str(ric.calc_check_digit(body17 + "0"))


def uscc_check(body17: str) -> str:
    from stdnum.cn import uscc

    return str(uscc.calc_check_digit(body17))


def wrong_check(good: str, alphabet: str, rng: random.Random) -> str:
    return rng.choice([c for c in alphabet if c != good])


def date_text(day: dt.date, form: str) -> str:
    """A date as a clerk types it; ``cell`` becomes a real date cell in xlsx (ISO text elsewhere)."""
    if form == "dot":
        return f"{day.year}.{day.month:02d}.{day.day:02d}"
    if form == "slash":
        return f"{day.year}/{day.month}/{day.day}"
    if form == "cjk":
        return f"{day.year}年{day.month}月{day.day}日"
    if form == "compact":
        return f"{day:%Y%m%d}"
    return day.isoformat()


@dataclass(slots=True)
class TrainingClass:
    class_id: str
    training_type: str
    occupation: str
    level: str
    start: dt.date
    end: dt.date
    date_form: str
    employer: str
    employer_uscc: str
    institution: str
    fee: int


def _uscc(rng: random.Random, prefix: str) -> str:
    body = prefix + rng.choice(AREAS) + "".join(rng.choice(USCC_CHARS[:10] + "ABCDEFGHJK") for _ in range(9))
    return body + uscc_check(body)


def make_class(seed: int, index: int) -> TrainingClass:
    rng = random.Random(f"{seed}/class/{index}")
    start = MONTH_START + dt.timedelta(days=rng.randrange(0, 150))
    end = min(start + dt.timedelta(days=rng.choice((4, 6, 9, 14, 20, 29, 44))), dt.date(2024, 6, 30))
    city = rng.choice(CITIES)
    brand = rng.choice("华鑫恒泰瑞达新宏远博盛嘉和") + rng.choice("德通信源兴昌安丰")
    employer = f"{city}{brand}{rng.choice(TRADES)}有限公司"
    return TrainingClass(
        class_id=f"BJ2024{index:06d}",
        training_type=rng.choice(TRAINING_TYPES),
        occupation=rng.choice(OCCUPATIONS),
        level=rng.choice(LEVELS),
        start=start,
        end=end,
        date_form=rng.choice(DATE_FORMS),
        employer=employer,
        employer_uscc=_uscc(rng, "91"),
        institution=f"{city}市{rng.choice('第一第二第三现代新华育才')}职业技能培训学校",
        fee=rng.choice(FEES),
    )


def make_person(rng: random.Random, used: set[str]) -> tuple[str, str, str]:
    """(name, 18-digit ID, sex) with a valid check character and birth date, an ID not in ``used``.

    Real IDs are unique per person; random ones collide (about 1 in 500 at 1M rows), and a
    collision would read as "the same ID with different names", a mistake nobody planted.
    """
    sex = rng.choice("男女")
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    while True:
        birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(0, 38 * 365))
        seq = rng.randrange(0, 500) * 2 + (1 if sex == "男" else 0)
        body = f"{rng.choice(AREAS)}{birth:%Y%m%d}{seq:03d}"
        id_number = body + id_check(body)
        if id_number not in used:
            used.add(id_number)
            return name, id_number, sex


def _plant(rng: random.Random) -> str | None:
    draw = rng.random()
    for name, share in PLANT.items():
        if draw < share:
            return name
        draw -= share
    return None


@dataclass(slots=True)
class Rows:
    """The generated rows: roster cells as text (dates as text in the class's form) and attendance."""

    roster: list[list[str]]
    headers: tuple[str, ...]
    date_cell: list[tuple[bool, bool]]  # per roster row: (start is a date cell, end is a date cell) in xlsx
    attendance: list[list[str | int | float]]


def generate(n: int, seed: int = DEFAULT_SEED, shape: str = "check") -> Rows:
    roster: list[list[str]] = []
    cells: list[tuple[bool, bool]] = []
    attendance: list[list[str | int | float]] = []
    classes: dict[int, TrainingClass] = {}
    previous: tuple[str, str, str] | None = None
    used: set[str] = set()
    for i in range(n):
        rng = random.Random(seed * 1_000_003 + i)
        cls = classes.get(i // CLASS_SIZE)
        if cls is None:
            classes.clear()
            cls = classes[i // CLASS_SIZE] = make_class(seed, i // CLASS_SIZE)
        name, id_number, sex = make_person(rng, used)
        phone = "1" + rng.choice("35789") + "".join(rng.choice("0123456789") for _ in range(9))
        start, end = cls.start, cls.end
        start_text, end_text = date_text(start, cls.date_form), date_text(end, cls.date_form)
        start_cell = end_cell = cls.date_form == "cell"
        training_type, level, uscc = cls.training_type, cls.level, cls.employer_uscc
        mistake = _plant(rng)
        if mistake == "id_check":
            id_number = id_number[:17] + wrong_check(id_number[17], "0123456789X", rng)
        elif mistake == "uscc_check":
            uscc = uscc[:17] + wrong_check(uscc[17], USCC_CHARS, rng)
        elif mistake == "bad_date":
            bad = rng.choice(("2024-02-30", "2024.13.05", "2024年5月", "2024-05-32", "24.5.6"))
            if rng.random() < 0.5:
                start_text, start_cell = bad, False
            else:
                end_text, end_cell = bad, False
        elif mistake == "swapped":
            start_text, end_text = end_text, start_text
        elif mistake == "after_period":
            end_text = date_text(dt.date(2024, 7, 1) + dt.timedelta(days=rng.randrange(0, 60)), cls.date_form)
        elif mistake == "phone":
            phone = phone[:10]
        elif mistake == "level":
            level = "六级"
        elif mistake == "training_type":
            training_type = "技能培训班"
        elif mistake == "duplicate" and previous is not None and i % CLASS_SIZE:
            name, id_number, sex = previous
        previous = (name, id_number, sex)
        values = [
            str(i + 1), name, id_number, sex, phone, rng.choice(CATEGORIES), cls.employer, uscc,
            training_type, cls.occupation, level, start_text, end_text, cls.institution, str(cls.fee),
            cls.class_id,
        ]
        if shape == "payout":
            # Its own generator, so that the rows drawn above are the check shape's, draw for draw.
            if random.Random(f"{seed}/payout/{i // CLASS_SIZE}").random() < PAYOUT_A5_SHARE and mistake is None:
                values[8] = "岗前培训"
            values += ["是", "否", "合格"]
        roster.append(values)
        cells.append((start_cell, end_cell))
        required = (cls.end - cls.start).days + 1
        present = required - (rng.randrange(0, 3) if rng.random() < 0.2 else 0)
        att_id, att_name = id_number, name
        if rng.random() < NOT_ON_ROSTER:
            att_name, att_id, _ = make_person(rng, used)
        online = float(rng.choice((0, 8, 16, 24)))
        offline = float(required * 8 - online) if required * 8 > online else float(required * 8)
        attendance.append([i + 1, att_id, att_name, cls.class_id, required, present, online, offline,
                           online + offline])
    headers = ROSTER_HEADERS + PAYOUT_HEADERS if shape == "payout" else ROSTER_HEADERS
    return Rows(roster, headers, cells, attendance)


# -- writers ------------------------------------------------------------------------------------
def _write_xlsx(rows: Rows, target: Path, n: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    money = book.add_format({"num_format": "0.00"})

    sheet = book.add_worksheet("花名册")
    last = len(rows.headers) - 1
    sheet.merge_range(0, 0, 0, last, f"2024年职业技能培训补贴花名册（第{n}人批次）", title)
    sheet.write_string(1, 0, "填报单位（盖章）：某市人力资源和社会保障局职业能力建设处    "
                             "填报日期：2024年6月30日")
    for j, text in enumerate(rows.headers):
        sheet.write_string(2, j, text, head)
    sheet.set_column(0, 0, 7)
    sheet.set_column(1, last, 14)
    sheet.set_column(2, 2, 21)
    epoch = dt.date(1899, 12, 30)
    r = 3
    total_fee = 0
    for values, (start_cell, end_cell) in zip(rows.roster, rows.date_cell, strict=True):
        for j, value in enumerate(values):
            if j == 0:
                sheet.write_number(r, 0, int(value))
            elif j == 14:
                sheet.write_number(r, 14, int(value), money)
                total_fee += int(value)
            elif (j == 11 and start_cell) or (j == 12 and end_cell):
                serial = (dt.date.fromisoformat(value) - epoch).days
                sheet.write_number(r, j, serial, date_fmt)  # what write_datetime stores, without the cost
            else:
                sheet.write_string(r, j, value)
        r += 1
    sheet.write_string(r, 0, "合计")
    sheet.write_string(r, 1, f"{len(rows.roster)}人")
    sheet.write_number(r, 14, total_fee, money)

    att = book.add_worksheet("考勤")
    last = len(ATTENDANCE_HEADERS) - 1
    att.merge_range(0, 0, 0, last, "2024年职业技能培训考勤汇总表", title)
    att.write_string(1, 0, "填报单位（盖章）：各培训机构      填报日期：2024年6月30日")
    for j, text in enumerate(ATTENDANCE_HEADERS):
        att.write_string(2, j, text, head)
    att.set_column(1, 1, 21)
    r = 3
    for values in rows.attendance:
        for j, value in enumerate(values):
            if isinstance(value, str):
                att.write_string(r, j, value)
            else:
                att.write_number(r, j, value)
        r += 1
    att.write_string(r, 0, "合计")
    att.write_number(r, 4, sum(int(v[4]) for v in rows.attendance))
    att.write_number(r, 5, sum(int(v[5]) for v in rows.attendance))
    book.close()


def _frame(rows: Rows):  # type: ignore[no-untyped-def]
    import polars as pl

    columns = list(zip(*rows.roster, strict=True)) if rows.roster else [() for _ in rows.headers]
    return pl.DataFrame({h: pl.Series(h, list(c), dtype=pl.String) for h, c in zip(rows.headers, columns,
                                                                                    strict=True)})


def path_for(n: int, fmt: str, seed: int = DEFAULT_SEED, shape: str = "check") -> Path:
    # The file name says 花名册 so a one-sheet Parquet/CSV file is recognised as a roster by name.
    kind = "_payout" if shape == "payout" else ""
    return DATA_DIR / f"花名册{kind}_n{n}_s{seed}_v{GENERATOR_VERSION}.{fmt}"


def ensure(n: int, fmt: str, seed: int = DEFAULT_SEED, *, log: bool = True, shape: str = "check") -> Path:
    """The cached file for (n, fmt, seed, shape), generated if absent. Parquet and CSV are made together."""
    target = path_for(n, fmt, seed, shape)
    if target.exists():
        return target
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if log:
        print(f"generating {target.name} …", file=sys.stderr, flush=True)
    rows = generate(n, seed, shape)
    formats = ("parquet", "csv") if fmt in ("parquet", "csv") else (fmt,)
    for each in formats:
        final = path_for(n, each, seed, shape)
        tmp = final.with_name(final.name + f".{os.getpid()}.tmp")
        if each == "xlsx":
            _write_xlsx(rows, tmp, n)
        elif each == "parquet":
            _frame(rows).write_parquet(tmp)
        elif each == "csv":
            _frame(rows).write_csv(tmp)
        else:
            raise ValueError(f"unknown format {each}")
        os.replace(tmp, final)
    return target


def iter_formats(text: str) -> Iterator[str]:
    yield from (f.strip() for f in text.split(",") if f.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000])
    parser.add_argument("--format", default="xlsx", help="xlsx, parquet, csv (comma-separated)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--shape", choices=("check", "payout"), default="check",
                        help="payout: plus 是否参保/是否领取养老金/考核结果, about 90 %% paid under the Suzhou rules")
    args = parser.parse_args(argv)
    for n in args.rows:
        for fmt in iter_formats(args.format):
            print(ensure(n, fmt, args.seed, shape=args.shape))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
