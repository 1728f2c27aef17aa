"""Generate the sample batches in ``sample_data/``: two clean batches and one with planted mistakes.

    .venv/bin/python scripts/make_sample.py sample_data        # or: make sample

Everything is drawn from fixed seeds and written by xlsxwriter in memory with fixed document
properties, so every run produces byte-identical files:

* ``district_batch.xlsx``: a realistic, clean batch of 苏州市吴中区 for the period ``DISTRICT_PERIOD``
  (2021-06), for the policy ``suzhou-2019`` (in force 2019-01-01..2021-12-31): 花名册, 考勤, 证书 and a
  填表说明 sheet that the tool ignores. ``skillcli check --period 2021-06`` must report nothing. Its
  classes are laid out relative to that one setting, so every date, certificate number, class number,
  title and document property follows it.
* ``wuxi_apprentices_2024.xlsx``: a clean 2024-06 batch of 无锡市新吴区 enterprise new apprenticeships
  (新型学徒制), for the policy ``wuxi-2024``; ``skillcli check --period 2024-06`` must report nothing. A few
  chosen apprentices fail one requirement each (examination, contract, online hours, lower certificate).
* ``mistakes_batch.xlsx``: a small 2024-06 batch of the district's shape with typical clerk mistakes
  planted at known cells; ``mistakes_expected.csv`` lists every finding the tool must report there
  (sheet, Excel row, header as written, code) and ``mistakes_not_expected.csv`` the findings it must NOT
  report (valid inputs that look odd: a lowercase x, full-width digits, dates typed as text).

Check characters come from python-stdnum (GB 11643 IDs, GB 32100 credit codes), independently of
skillcli's own checks. No skillcli module is imported.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from stdnum.cn import ric, uscc
from xlsxwriter.utility import xl_col_to_name

SEED_CLEAN = 20240630
SEED_MISTAKES = 20240631
SEED_WUXI = 20240602


@dataclass(frozen=True)
class Period:
    """The month a batch is filed for. Its titles, 填报日期, 统计截止 and document date follow it."""

    year: int
    month: int

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def created(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time(9, 0))

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def end_label(self) -> str:
        return f"{self.label}{self.end.day}日"

    def date(self, year: int, month: int, day: int) -> dt.date:
        """A date of a class laid out relative to the period: 29 February becomes the 28th in a common year."""
        return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


# The period of each batch. The clean district batch is filed for June 2021, inside the years of the
# Suzhou policy it is meant for (suzhou-2019 is in force 2019-01-01..2021-12-31). Its classes are laid out
# relative to this setting's year (``district_courses``; short classes run February–June, so keep it a
# June batch): change the year and every course, certificate and contract date, certificate-number year,
# class number, title and document date moves with it. Birth years move too, so that ages stay the same.
DISTRICT_PERIOD = Period(2021, 6)
MISTAKES_PERIOD = Period(2024, 6)  # fixed: mistakes_expected.csv names its cells and values
WUXI_PERIOD = Period(2024, 6)  # wuxi-2024 is in force from 2024-04-02
BUREAU = "苏州市吴中区人力资源和社会保障局"
WUXI_BUREAU = "无锡市新吴区人力资源和社会保障局"

# -- reference lists ---------------------------------------------------------------------------
# The most common surnames, most frequent first; the weight falls with the rank.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SUZHOU_SURNAMES = "陆顾沈钱朱徐周吴张王"  # more frequent among people born in Suzhou
WUXI_SURNAMES = "钱秦蒋顾周王张陈吴朱"  # more frequent among people born in Wuxi
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
# Given names by sex and by the decade a person was born in: names follow fashions.
GIVEN_NAMES = {
    ("男", 0): "建国 建华 建军 国强 国平 志强 志刚 卫东 卫国 红兵 海涛 永明 永刚 德明 立新 春生 金根 "
               "荣生 伟 强 军 勇 刚 平 明 华 斌 林",
    ("男", 1): "伟 磊 涛 杰 超 鹏 斌 勇 亮 俊 飞 健 浩 剑 峰 波 明辉 海峰 晓东 俊杰 志伟 建峰 文杰 "
               "振华 晓明 宏伟 家俊 国栋 云龙 永健",
    ("男", 2): "浩然 子轩 宇航 俊杰 天宇 子豪 嘉豪 一鸣 思远 宇轩 博文 浩宇 梓豪 皓轩 晨阳 文博 "
               "睿 哲 昊 轩 宇 浩 凯 鑫 阳 帆",
    ("女", 0): "秀英 桂英 秀兰 玉兰 凤英 美华 红英 金妹 月娥 雪芳 丽华 建英 彩英 小妹 芳 萍 红 英 "
               "梅 琴 珍",
    ("女", 1): "丽娟 海燕 晓燕 雪梅 丽丽 晓丽 慧敏 红霞 春燕 晓红 静 敏 芳 艳 娟 婷 燕 霞 丹 琳 "
               "倩 颖 洁 蓉",
    ("女", 2): "婷婷 欣怡 梓涵 雨桐 佳琪 思琪 诗涵 雨欣 子涵 可欣 佳怡 怡然 梦瑶 雅婷 悦 璐 瑶 "
               "琪 彤 萱 倩 妍 婧",
}

# Home districts by today's code (GB/T 2260), weighted. An ID keeps the code of the district as it was
# when the number was assigned (at birth, or in 1985 for people born earlier), so people born before
# a district was created carry its predecessor's code: see ID_AREA_HISTORY.
SUZHOU_AREAS = (("320506", 12), ("320505", 2), ("320507", 2), ("320508", 2), ("320509", 2),
                ("320583", 1))  # 吴中, 虎丘, 相城, 姑苏, 吴江, 昆山
WUXI_AREAS = (("320214", 10), ("320213", 3), ("320211", 2), ("320205", 1), ("320206", 1))
# 新吴, 梁溪, 滨湖, 锡山, 惠山
JIANGSU_NORTH = (("320312", 2), ("320812", 2))  # 徐州铜山区, 淮安清江浦区
CENTRAL_WEST = (("341502", 3), ("341503", 2), ("140302", 2), ("411302", 2), ("421002", 2), ("511302", 2),
                ("520502", 2))  # 六安金安/裕安, 阳泉城区, 南阳宛城, 荆州沙市, 南充顺庆, 毕节七星关
# today's code -> (first year in use, code) from newest to oldest, per GB/T 2260 revisions. Where a district
# was formed from several, the older code is one of them ("a/b/c"), drawn per person.
ID_AREA_HISTORY: dict[str, tuple[tuple[int, str], ...]] = {
    "320506": ((2000, "320506"), (1995, "320586"), (0, "320524")),  # 吴中区 ← 吴县市 ← 吴县
    "320507": ((2000, "320507"), (1995, "320586"), (0, "320524")),  # 相城区 ← 吴县市 ← 吴县
    "320505": ((2000, "320505"), (0, "320511")),  # 虎丘区 ← 郊区
    "320508": ((2012, "320508"), (0, "320503")),  # 姑苏区 ← 平江区
    "320509": ((2012, "320509"), (1992, "320584"), (0, "320525")),  # 吴江区 ← 吴江市 ← 吴江县
    "320583": ((1989, "320583"), (0, "320523")),  # 昆山市 ← 昆山县
    "320312": ((2010, "320312"), (0, "320323")),  # 铜山区 ← 铜山县
    "320812": ((2016, "320812"), (0, "320811")),  # 清江浦区 ← 清浦区
    "341502": ((1999, "341502"), (0, "342401")),  # 金安区 ← 六安市 (地区)
    "341503": ((1999, "341503"), (0, "342401")),  # 裕安区 ← 六安市 (地区)
    "411302": ((1994, "411302"), (0, "412901")),  # 宛城区 ← 南阳市 (地区)
    "421002": ((1994, "421002"), (0, "420400")),  # 沙市区 ← 沙市市
    "511302": ((1993, "511302"), (0, "512901")),  # 顺庆区 ← 南充市 (地区)
    "520502": ((2011, "520502"), (1993, "522401"), (0, "522421")),  # 七星关区 ← 毕节市 ← 毕节县
    # Wuxi, 2015: 新吴区 was formed mostly from 滨湖区 (旺庄, 江溪, 硕放, 新安, 梅村); 滨湖区 kept the code of
    # the 郊区 it replaced in 2000; 梁溪区 merged 崇安, 南长 and 北塘; 锡山/惠山 were split from 锡山市 (1995,
    # formerly 无锡县) in 2000.
    "320214": ((2015, "320214"), (0, "320211")),  # 新吴区 ← 滨湖区/郊区
    "320213": ((2015, "320213"), (0, "320202/320203/320204")),  # 梁溪区 ← 崇安区/南长区/北塘区
    "320205": ((2000, "320205"), (1995, "320283"), (0, "320222")),  # 锡山区 ← 锡山市 ← 无锡县
    "320206": ((2000, "320206"), (1995, "320283"), (0, "320222")),  # 惠山区 ← 锡山市 ← 无锡县
}


def id_area(home: str, birth: dt.date, rng: random.Random | None = None) -> str:
    """The area code an ID of someone from ``home`` carries: the one in use when it was assigned.

    When the district then in use is one of several merged since (``a/b/c``), ``rng`` picks it.
    """
    assigned = max(birth.year, 1985)
    code = next((code for since, code in ID_AREA_HISTORY.get(home, ()) if assigned >= since), home)
    if "/" in code:
        choices = code.split("/")
        return rng.choice(choices) if rng is not None else choices[0]
    return code


PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                  "155", "157", "158", "159", "180", "181", "182", "183", "186", "187", "188", "189", "191",
                  "193", "195", "198", "199")
CARD_BINS = ("622848", "621700", "622202", "621661", "623059")  # 农行, 建行, 工行, 中行, 苏州银行-like

LEVEL_LABEL: dict[int | str, str] = {5: "五级/初级工", 4: "四级/中级工", 3: "三级/高级工", 2: "二级/技师",
                                     1: "一级/高级技师", "SPECIAL": "专项能力", "NONE": "无等级"}
OLD_LEVEL_LABEL = {5: "国家职业资格五级", 4: "国家职业资格四级", 3: "国家职业资格三级", 2: "国家职业资格二级",
                   1: "国家职业资格一级"}

ROSTER_HEADERS = (
    "序号", "姓名", "身份证号码", "性别", "手机号码", "人员类别", "单位名称", "统一社会信用代码",
    "培训类型", "职业(工种)", "培训等级", "开班日期", "结业日期", "备案结束日期", "培训机构",
    "机构统一社会信用代码", "培训费用", "出资方", "是否参保", "是否领取养老金", "是否紧缺职业", "考核结果",
    "劳动合同起始日期", "劳动合同终止日期", "班级编号", "银行账号", "户名",
)
ATTENDANCE_HEADERS = ("序号", "班级编号", "身份证号码", "姓名", "总学时", "线上学时", "线下学时",
                      "应出勤天数", "实际出勤天数", "出勤率", "备注")
CERT_HEADERS = ("序号", "姓名", "身份证号码", "证书类型", "职业(工种)", "等级", "证书编号", "发证日期",
                "发证机构", "是否本市取证")
TEXT_COLUMNS = frozenset({"身份证号码", "统一社会信用代码", "机构统一社会信用代码", "银行账号", "手机号码",
                          "班级编号", "证书编号"})
DATE_COLUMNS = frozenset({"开班日期", "结业日期", "备案结束日期", "劳动合同起始日期", "劳动合同终止日期",
                          "发证日期"})
MONEY_COLUMNS = frozenset({"培训费用"})
INT_COLUMNS = frozenset({"序号", "应出勤天数", "实际出勤天数", "总学时", "线上学时", "线下学时", "参保月数"})
PERCENT_COLUMNS = frozenset({"出勤率"})
WIDTHS = {"姓名": 9, "身份证号码": 21, "手机号码": 13, "人员类别": 13, "单位名称": 28,
          "统一社会信用代码": 21, "培训类型": 12, "职业(工种)": 18, "培训等级": 13, "培训机构": 26,
          "机构统一社会信用代码": 21, "银行账号": 22, "班级编号": 13, "证书类型": 16, "证书编号": 25,
          "发证机构": 26, "备注": 16}

NOTES = (
    "填表说明",
    "一、本工作簿含花名册、考勤、证书三张表，由区人社局汇总各培训机构、企业报送的数据后填写。",
    "二、身份证号码、银行账号、统一社会信用代码、证书编号一律按文本格式录入，不得使用科学计数法。",
    "三、培训类型、人员类别、培训等级按下拉选项填写；等级填写“五级/初级工”至“一级/高级技师”、专项能力或无等级。",
    "四、日期格式为YYYY-MM-DD；培训费用单位为元，保留两位小数。",
    "五、考勤表每名学员每个班级一行，线上学时不得超过总学时的40%。",
    "六、证书表每本证书一行；新型学徒制高级工及以上学员须同时填报下一等级的原证书。",
)


# -- cells that are not plain values -----------------------------------------------------------
@dataclass(frozen=True)
class Num:
    """A value written as a number cell even in a text column (how an ID loses its digits)."""

    value: float


@dataclass(frozen=True)
class Formula:
    """A formula cell with the value Excel would have cached."""

    formula: str
    cached: float


# -- organisations and people ------------------------------------------------------------------
@dataclass(frozen=True)
class Org:
    name: str
    code: str  # 统一社会信用代码


@dataclass(frozen=True)
class Evaluator:
    """Who issues a 职业技能等级证书: Y = the employer itself, S = a social evaluation body."""

    name: str
    kind: str  # "Y" or "S"
    body: str  # 4 characters
    site: str  # 6 characters


@dataclass(frozen=True)
class Place:
    """Where a batch comes from: the bureau, where its people are from, its certificate numbers and issuers."""

    bureau: str
    prefix: str  # the city's first four ID digits: people from there have its surnames more often
    areas: tuple[tuple[str, int], ...]  # home districts of local people, weighted
    surnames: str
    city: str  # the city digits in an old 16-digit 职业资格证书 number (province 32 + city)
    old_issuer: str  # who issued the old 职业资格证书 (before 2020)
    centre: Evaluator  # the city's skill evaluation centre
    class_prefix: str  # 班级编号 prefix


SUZHOU = Place(BUREAU, "3205", SUZHOU_AREAS, SUZHOU_SURNAMES, "05", "苏州市职业技能鉴定指导中心",
               Evaluator("苏州市职业技能鉴定中心", "S", "0102", "050001"), "WZ")
WUXI = Place(WUXI_BUREAU, "3202", WUXI_AREAS, WUXI_SURNAMES, "02", "无锡市职业技能鉴定指导中心",
             Evaluator("无锡市职业技能鉴定中心", "S", "0108", "020001"), "XW")


@dataclass
class Person:
    name: str
    id_number: str
    sex: str
    birth: dt.date
    phone: str
    category: str
    employer: Org | None
    insured: bool
    pensioner: bool
    account: str
    contract: tuple[dt.date, dt.date] | None = None
    insured_months: int | None = None  # 参保月数, shown on the district roster only


@dataclass
class Course:
    key: str
    ttype: str
    occupation: str
    level: int | str
    start: dt.date
    end: dt.date
    size: int
    fee: float
    payer: str  # 个人 / 企业 / 机构 / mix
    categories: tuple[tuple[str, int], ...]
    cert: str | None  # certificate kind obtained on passing
    inst: Org | None = None
    employers: tuple[Org, ...] = ()
    filed_end: dt.date | None = None
    shortage: bool = False
    evaluator: Evaluator | None = None
    issuer: str = ""
    female: float = 0.3
    birth: tuple[int, int] | None = None  # birth years; default: aged 22–54 in the batch year
    online: float = 0.0  # share of hours online (≤ 0.4)
    hours_per_day: int = 8
    days: int | None = None  # training days when the class is long (apprenticeship, full-time)
    pass_rate: float = 0.95
    pensioners: int = 0
    reuse: tuple[tuple[str, int], ...] = ()  # (course key, how many) of people who also attend this one
    contract: bool = False  # the roster shows the labour contract
    areas: tuple[tuple[str, int], ...] = ()
    class_id: str = ""
    issue_date: dt.date | None = None
    enrolments: list[Enrolment] = field(default_factory=list)


@dataclass
class Enrolment:
    person: Person
    course: Course
    payer: str
    passed: bool
    days_required: int = 0
    days_present: int = 0
    hours_online: int = 0
    hours_total: int = 0


# -- identifiers -------------------------------------------------------------------------------
def id_with_check(body17: str) -> str:
    """An 18-character ID: stdnum wants the number with a check position, which it ignores."""
    return body17 + ric.calc_check_digit(body17 + "0")


def uscc_with_check(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def org_code_check(code8: str) -> str:
    """GB 11714 check character of an organisation code (the 9th character inside a USCC)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(code8, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, prefix: str, area: str, style: str) -> str:
    """A credit code: registration authority and type, area, organisation code, GB 32100 check."""
    if style == "MA":  # issued since 2015: MA (companies) or MJ (民办非企业单位) + 6 characters + check
        code8 = ("MJ" if prefix == "52" else "MA") + "".join(rng.choice(_USCC_CHARS) for _ in range(6))
    else:  # an old organisation code: 8 digits
        code8 = "".join(rng.choice("0123456789") for _ in range(8))
    code9 = code8 + org_code_check(code8)
    return uscc_with_check(prefix + area + code9)


def luhn_complete(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return digits + str((10 - total % 10) % 10)


def weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def random_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def weekdays(start: dt.date, end: dt.date) -> int:
    return sum(1 for i in range((end - start).days + 1) if (start + dt.timedelta(days=i)).weekday() < 5)


class People:
    """Unique people: IDs, phones and accounts never repeat within one batch.

    Ages are relative to the batch's ``year``; local people come from ``place``.
    """

    def __init__(self, rng: random.Random, year: int, place: Place = SUZHOU) -> None:
        self.rng = rng
        self.year = year
        self.place = place
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        self.accounts: set[str] = set()
        self.compound_left = 2

    def name(self, sex: str, area: str, birth: dt.date) -> str:
        rng = self.rng
        if self.compound_left and rng.random() < 0.01:
            self.compound_left -= 1
            surname = rng.choice(COMPOUND_SURNAMES)
        else:
            local = area.startswith(self.place.prefix)
            weights = [(2.5 if local and s in self.place.surnames else 1.0) / (rank + 6)
                       for rank, s in enumerate(SURNAMES)]
            surname = rng.choices(SURNAMES, weights=weights)[0]
        era = 0 if birth.year < 1980 else 1 if birth.year < 1995 else 2
        return surname + rng.choice(GIVEN_NAMES[(sex, era)].split())

    def id_number(self, area: str, birth: dt.date, sex: str, check: str | None = None) -> str:
        while True:
            seq = self.rng.randint(0, 99)
            sex_digit = self.rng.choice("13579" if sex == "男" else "02468")
            number = id_with_check(f"{area}{birth:%Y%m%d}{seq:02d}{sex_digit}")
            if number not in self.ids and (check is None or number[-1] == check):
                self.ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def account(self) -> str:
        while True:
            number = luhn_complete(self.rng.choice(CARD_BINS) + f"{self.rng.randint(0, 10**12 - 1):012d}")
            if number not in self.accounts:
                self.accounts.add(number)
                return number

    def new(self, course: Course, *, pensioner: bool = False, sex: str | None = None,
            check: str | None = None) -> Person:
        rng = self.rng
        category = "企业职工" if pensioner else weighted(rng, course.categories)
        if sex is None:
            sex = "女" if pensioner or rng.random() < course.female else "男"
        y = self.year
        lo, hi = course.birth or (y - 54, y - 22)
        if pensioner:
            lo, hi = y - 58, y - 52  # women drawing a pension and working again
        elif category == "高校毕业生":
            lo, hi = y - 26, y - 22
        elif category in ("在校学生", "贫困家庭学生"):
            lo, hi = y - 21, y - 20
        elif category in ("就业困难人员", "零就业家庭成员"):
            lo, hi = y - 58, y - 40
        birth = random_date(rng, dt.date(lo, 1, 1), dt.date(hi, 12, 31))
        if course.areas:
            areas: Sequence[tuple[str, int]] = course.areas
        elif category in ("农村转移劳动力", "脱贫劳动力"):
            areas = CENTRAL_WEST + JIANGSU_NORTH
        elif category == "企业职工":
            areas = self.place.areas + JIANGSU_NORTH + CENTRAL_WEST
        else:
            areas = self.place.areas
        home = weighted(rng, areas)
        area = id_area(home, birth, rng)
        students = ("在校学生", "贫困家庭学生")
        employer = rng.choice(course.employers) if course.employers and category not in students else None
        insured = employer is not None and not pensioner
        person = Person(self.name(sex, home, birth), self.id_number(area, birth, sex, check), sex, birth,
                        self.phone(), category, employer, insured, pensioner, self.account())
        if course.contract and employer is not None:
            person.contract = contract_for(rng, course)
        return person


def contract_for(rng: random.Random, course: Course) -> tuple[dt.date, dt.date]:
    """A labour contract that started before the class and covers it (≥ 1 year; 3 or 5 years)."""
    if course.ttype == "新型学徒制":  # hired within three years before the apprenticeship started
        begin = random_date(rng, add_years(course.start, -3), course.start - dt.timedelta(days=20))
    elif course.ttype == "全日制学习":  # a graduate hired after leaving school
        begin = random_date(rng, course.end + dt.timedelta(days=1), course.end + dt.timedelta(days=30))
    else:  # a new hire: the contract starts on the first day of work
        begin = random_date(rng, course.start - dt.timedelta(days=25), course.start)
    need = course.filed_end or course.end
    years = 3
    while add_years(begin, years) - dt.timedelta(days=1) < need:
        years += 2
    return begin, add_years(begin, years) - dt.timedelta(days=1)


# -- certificates ------------------------------------------------------------------------------
@dataclass
class Cert:
    person: Person
    kind: str
    occupation: str
    level: int | str | None
    number: str
    issued: dt.date
    issuer: str
    local: bool = True
    level_text: str | None = None


class CertNumbers:
    """Serial numbers per evaluation body and year, so no number repeats."""

    def __init__(self) -> None:
        self.serials: dict[str, int] = {}

    def next(self, key: str, start: int = 1) -> int:
        self.serials[key] = self.serials.get(key, start - 1) + 1
        return self.serials[key]

    def skill_level(self, ev: Evaluator, level: int, issued: dt.date) -> str:
        """The 22-character 职业技能等级证书 number: Y/S, body, province 32, site, year, level, serial."""
        serial = self.next(f"{ev.body}{issued:%y}{level}", 101)
        return f"{ev.kind}{ev.body}32{ev.site}{issued:%y}{level}{serial:06d}"

    def qualification(self, level: int, issued: dt.date, city: str = "05") -> str:
        """The old 16-digit 职业资格证书 number: year, province, city, body type, site, level, serial."""
        serial = self.next(f"old{issued:%y}{level}", 201)
        return f"{issued:%y}32{city}" + "1" + "006" + f"{level}{serial:05d}"


# -- the clean district batch --------------------------------------------------------------------
def d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


def district_courses(rng: random.Random, period: Period) -> tuple[list[Course], list[Org], list[Org]]:
    """The classes of the batch; every Suzhou 2019 rule meets some.

    Dates are laid out relative to the batch ``period``: ``y`` is its year, ``on(y - 1, 3, 1)`` the
    1st of March a year earlier (29 February becomes the 28th in a common year). Short classes run in
    February–June of ``y``; apprenticeships started one or two years earlier.
    """
    y, on = period.year, period.date
    names = ("苏州精工机械有限公司", "苏州吴中华泰电子科技有限公司", "苏州胥口建设工程有限公司",
             "苏州太湖智能装备有限公司", "苏州木渎新材料科技有限公司", "苏州甪直汽车零部件有限公司",
             "苏州吴中颐和康养服务有限公司", "苏州临湖食品有限公司", "苏州越溪物流有限公司")
    e = [Org(name, make_uscc(rng, "91", "320506", "MA" if i % 3 else "old")) for i, name in enumerate(names)]
    jinggong, huatai, xukou, taihu, mudu, luzhi, yihe, linhu, yuexi = e
    schools = [
        Org("吴中区职业技能培训学校", make_uscc(rng, "52", "320506", "MA")),
        Org("苏州吴中技师学院", make_uscc(rng, "12", "320506", "old")),
        Org("苏州太湖安全技术培训学校", make_uscc(rng, "52", "320506", "MA")),
        Org("苏州市吴中区木渎职业技能培训中心", make_uscc(rng, "52", "320506", "MA")),
        Org("苏州精工技工学校", make_uscc(rng, "52", "320506", "MA")),  # run by 苏州精工机械 (A13)
    ]
    peixun, jishi, anquan, mudu_center, jg_school = schools
    ev_college = Evaluator("苏州吴中技师学院", "S", "0417", "050601")
    ev_city = Evaluator("苏州市职业技能鉴定中心", "S", "0102", "050001")
    ev_jg_school = Evaluator("苏州精工技工学校", "S", "0733", "050622")
    ev_jinggong = Evaluator(jinggong.name, "Y", "1208", "050611")
    ev_taihu = Evaluator(taihu.name, "Y", "1375", "050614")
    staff = (("企业职工", 1),)
    new_hires = (("企业职工", 6), ("高校毕业生", 2), ("农村转移劳动力", 2))
    hard = (("就业困难人员", 3), ("零就业家庭成员", 2))
    workers = (("企业职工", 5), ("农村转移劳动力", 1))
    employment = (("农村转移劳动力", 5), ("城镇登记失业人员", 4), ("高校毕业生", 3), ("就业困难人员", 1),
                  ("低保家庭成员", 1), ("脱贫劳动力", 1), ("退役军人", 1), ("残疾人", 1))
    crafts = (("农村转移劳动力", 2), ("城镇登记失业人员", 1), ("企业职工", 1))
    skill, qualified, ops = "职业技能等级证书", "培训合格证", "特种作业操作证"
    special, safety = "专项职业能力证书", "苏州市应急管理局"
    marketing = "互联网营销师" if y >= 2022 else "电子商务师"  # 互联网营销师: national standard since late 2021
    c = [
        # 以工代训 (A6): hard-to-employ people hired by an insured enterprise, paid by the month. There is
        # no examination: everybody is 合格.
        Course("C05", "以工代训", "包装工", "NONE", on(y, 2, 1), on(y, 5, 31), 14, 0.0, "企业", hard,
               None, employers=(huatai,), female=0.6, contract=True, pass_rate=1.0),
        Course("C06", "以工代训", "养老护理员", "NONE", on(y, 3, 1), on(y, 6, 28), 10, 0.0, "企业", hard,
               None, employers=(yihe,), female=0.8, contract=True, pass_rate=1.0),
        # 岗前培训 (A5): new hires, 培训合格证.
        Course("C01", "岗前培训", "电子仪器仪表装配工", "NONE", on(y, 3, 4), on(y, 3, 8), 30, 400.0,
               "企业", new_hires, qualified, peixun, (huatai,), female=0.5, contract=True,
               issuer=peixun.name, birth=(y - 39, y - 20), reuse=(("C05", 3),)),
        Course("C02", "岗前培训", "糕点面包烘焙工", "NONE", on(y, 4, 8), on(y, 4, 12), 20, 350.0,
               "企业", new_hires, qualified, peixun, (linhu,), female=0.6, contract=True,
               issuer=peixun.name, birth=(y - 44, y - 20)),
        Course("C03", "岗前培训", "钳工", "NONE", on(y, 5, 13), on(y, 5, 17), 24, 450.0, "企业",
               new_hires, qualified, anquan, (jinggong,), contract=True, issuer=anquan.name,
               birth=(y - 39, y - 20)),
        # 转岗培训 of a struggling enterprise with a training-qualified certificate (A7).
        Course("C04", "转岗培训", "机床装调维修工", "NONE", on(y, 4, 15), on(y, 4, 26), 12, 1200.0,
               "企业", staff, qualified, anquan, (mudu,), issuer=anquan.name, birth=(y - 52, y - 29)),
        # 技能提升 (A8, A9 with 是否紧缺职业, E5/E6 through 出资方).
        Course("C11", "技能提升", "焊工", 5, on(y, 2, 26), on(y, 3, 22), 26, 1100.0, "mix", staff,
               skill, anquan, (xukou, luzhi, jinggong), shortage=True, evaluator=ev_city, female=0.05,
               online=0.2),
        Course("C07", "技能提升", "车工", 3, on(y, 3, 11), on(y, 4, 19), 30, 2200.0, "mix", staff,
               skill, jishi, (jinggong, taihu, luzhi), evaluator=ev_college, female=0.1, online=0.3,
               birth=(y - 54, y - 26)),
        Course("C10", "技能提升", "钳工", 1, on(y, 3, 4), on(y, 5, 10), 12, 4000.0, "mix", staff,
               skill, jishi, (jinggong, taihu), evaluator=ev_college, female=0.05, online=0.25,
               birth=(y - 56, y - 39)),
        Course("C15", "技能提升", "中式面点师", 5, on(y, 3, 18), on(y, 4, 12), 18, 900.0, "mix", staff,
               skill, mudu_center, (linhu,), evaluator=ev_city, female=0.7, pensioners=2),
        Course("C13", "技能提升", "养老护理员", 4, on(y, 4, 1), on(y, 4, 30), 20, 1400.0, "mix", staff,
               skill, peixun, (yihe,), shortage=True, evaluator=ev_city, female=0.85, online=0.4,
               pensioners=3),
        Course("C08", "技能提升", "加工中心操作工", 3, on(y, 4, 8), on(y, 5, 17), 28, 2400.0, "mix",
               staff, skill, jishi, (jinggong, taihu, mudu), shortage=True, evaluator=ev_college,
               female=0.1, online=0.3, birth=(y - 49, y - 26)),
        Course("C09", "技能提升", "电工", 2, on(y, 4, 15), on(y, 5, 31), 26, 3200.0, "mix", staff,
               skill, jishi, (jinggong, taihu, xukou, luzhi), shortage=True, evaluator=ev_college,
               female=0.05, online=0.3, birth=(y - 54, y - 32)),
        Course("C12", "技能提升", "电工", 4, on(y, 5, 6), on(y, 6, 7), 28, 1500.0, "mix", staff,
               skill, anquan, (jinggong, xukou, luzhi), evaluator=ev_city, female=0.05, online=0.2),
        Course("C14", "技能提升", "工业机器人系统操作员", 3, on(y, 5, 6), on(y, 6, 14), 24, 2600.0,
               "mix", staff, skill, jishi, (taihu, huatai, luzhi), shortage=True, evaluator=ev_college,
               female=0.15, online=0.35, birth=(y - 44, y - 24)),
        # 新型学徒制 (A11): 1–2 year classes closing in the months before the period.
        Course("C16", "新型学徒制", "车工", 4, on(y - 1, 3, 1), on(y, 2, 29), 20, 6000.0, "企业", staff,
               skill, jishi, (jinggong,), filed_end=on(y, 2, 29), evaluator=ev_jinggong, female=0.1,
               online=0.3, days=96, contract=True, birth=(y - 28, y - 20)),
        Course("C17", "新型学徒制", "加工中心操作工", 3, on(y - 2, 6, 6), on(y, 6, 5), 16, 8000.0, "企业",
               staff, skill, jishi, (taihu,), filed_end=on(y, 6, 5), shortage=True, evaluator=ev_taihu,
               female=0.1, online=0.3, days=160, contract=True, birth=(y - 34, y - 24)),
        Course("C18", "新型学徒制", "电工", 2, on(y - 2, 7, 1), on(y, 6, 28), 12, 9000.0, "企业", staff,
               skill, jg_school, (jinggong,), filed_end=on(y, 6, 30), shortage=True,
               evaluator=ev_jinggong, female=0.05, online=0.25, days=160, contract=True,
               birth=(y - 42, y - 29)),
        Course("C19", "新型学徒制", "工业机器人系统操作员", 3, on(y - 1, 4, 3), on(y, 4, 2), 18, 7000.0,
               "企业", staff, skill, jishi, (taihu, luzhi), filed_end=on(y, 4, 2), shortage=True,
               evaluator=ev_college, female=0.15, online=0.4, days=96, contract=True, birth=(y - 32, y - 23)),
        # Finished early: the actual period (to 31 May) is shorter than the filed one (A11 pays the actual).
        Course("C20", "新型学徒制", "钳工", 1, on(y - 2, 10, 10), on(y, 5, 31), 8, 10000.0, "企业", staff,
               skill, jishi, (jinggong,), filed_end=on(y, 10, 9), evaluator=ev_jinggong, female=0.0,
               online=0.2, days=150, contract=True, birth=(y - 49, y - 36)),
        Course("C21", "新型学徒制", "化工总控工", 4, on(y - 1, 3, 6), on(y, 3, 5), 14, 6000.0, "企业",
               staff, skill, jg_school, (mudu,), filed_end=on(y, 3, 5), evaluator=ev_city, female=0.3,
               online=0.3, days=96, contract=True, birth=(y - 28, y - 20)),
        # An occupation without skill levels: a completion certificate. Suzhou's A11 names no rate for it.
        Course("C22", "新型学徒制", "新能源汽车电池装配工", "NONE", on(y - 1, 5, 8), on(y, 5, 7), 12,
               5000.0, "企业", staff, "结业证书", jishi, (luzhi,), filed_end=on(y, 5, 7),
               issuer=jishi.name, female=0.3, online=0.3, days=96, contract=True, birth=(y - 28, y - 20)),
        # 岗位研修 (A10): technicians and senior technicians, paid on passing.
        Course("C24", "岗位研修", "电工", 1, on(y, 4, 22), on(y, 5, 10), 6, 5000.0, "企业", staff,
               None, jishi, (jinggong, taihu), female=0.0, online=0.2, birth=(y - 56, y - 42)),
        Course("C23", "岗位研修", "车工", 2, on(y, 5, 6), on(y, 5, 24), 10, 3000.0, "企业", staff,
               None, jishi, (jinggong, taihu), female=0.1, online=0.2, birth=(y - 52, y - 34)),
        # 特种作业 / 特种设备 (A12; E7 only local certificates count).
        Course("C25", "特种作业培训", "低压电工作业", "NONE", on(y, 3, 4), on(y, 3, 15), 24, 780.0,
               "mix", workers, ops, anquan, (xukou, yuexi, luzhi), issuer=safety, female=0.05,
               pass_rate=0.9, reuse=(("C12", 4),)),
        Course("C26", "特种作业培训", "熔化焊接与热切割作业", "NONE", on(y, 4, 8), on(y, 4, 19), 20,
               1080.0, "mix", workers, ops, anquan, (xukou, luzhi, jinggong), issuer=safety,
               female=0.05, pass_rate=0.9),
        Course("C27", "特种作业培训", "登高架设作业", "NONE", on(y, 5, 20), on(y, 5, 24), 16, 650.0,
               "mix", workers, ops, anquan, (xukou, yuexi), issuer=safety, female=0.0, pass_rate=0.9),
        Course("C28", "特种作业培训", "叉车司机", "NONE", on(y, 5, 27), on(y, 6, 7), 18, 900.0, "mix",
               workers, "特种设备作业人员证", anquan, (yuexi, huatai), issuer="苏州市市场监督管理局",
               female=0.1, pass_rate=0.9, reuse=(("C01", 4),)),
        # 就业技能培训 (A2 ceiling, A16 living allowance for low-income groups).
        Course("C32", "就业技能培训", "中式烹调师", 5, on(y, 2, 26), on(y, 3, 22), 20, 1350.0, "机构",
               (("脱贫劳动力", 3), ("农村转移劳动力", 4), ("低保家庭成员", 1)), skill, mudu_center,
               evaluator=ev_city, female=0.4, birth=(y - 54, y - 24)),
        Course("C29", "就业技能培训", "养老护理员", 5, on(y, 3, 11), on(y, 4, 3), 22, 1200.0, "机构",
               employment, skill, peixun, shortage=True, evaluator=ev_city, female=0.8, online=0.2,
               birth=(y - 56, y - 29)),
        Course("C30", "就业技能培训", "家政服务员", 5, on(y, 4, 15), on(y, 5, 10), 20, 980.0, "个人",
               employment, skill, mudu_center, evaluator=ev_city, female=0.9, birth=(y - 56, y - 29)),
        Course("C31", "就业技能培训", marketing, 5, on(y, 5, 13), on(y, 6, 7), 24, 1500.0, "个人",
               (("高校毕业生", 5), ("城镇登记失业人员", 2)), skill, peixun, evaluator=ev_city,
               female=0.6, online=0.4, birth=(y - 34, y - 22)),
        Course("C33", "就业技能培训", "育婴员", "NONE", on(y, 6, 3), on(y, 6, 14), 16, 500.0, "个人",
               employment, qualified, peixun, issuer=peixun.name, female=0.95, birth=(y - 49, y - 24)),
        # 专项能力培训 (Shanxi A4; E7): Wuzhong crafts.
        Course("C36", "专项能力培训", "碧螺春茶炒制", "SPECIAL", on(y, 2, 26), on(y, 3, 15), 16, 600.0,
               "个人", crafts, special, mudu_center, issuer=ev_city.name, female=0.5, areas=SUZHOU_AREAS,
               hours_per_day=6),
        Course("C34", "专项能力培训", "苏绣制作", "SPECIAL", on(y, 3, 4), on(y, 3, 29), 18, 800.0,
               "机构", (("农村转移劳动力", 2), ("城镇登记失业人员", 2)), special, mudu_center,
               issuer=ev_city.name, female=0.95, hours_per_day=6, reuse=(("C30", 2),)),
        Course("C35", "专项能力培训", "核雕制作", "SPECIAL", on(y, 4, 8), on(y, 4, 30), 12, 900.0,
               "个人", crafts, special, mudu_center, issuer=ev_city.name, female=0.3, areas=SUZHOU_AREAS,
               hours_per_day=6),
        # 全日制学习 at the enterprise-run school: last year's graduates, employed and insured since July
        # (A13: 12 months of 参保 by the period), and poor-family students from central and western China (A15).
        Course("C37", "全日制学习", "车工", 4, on(y - 4, 9, 1), on(y - 1, 6, 30), 12, 4800.0, "个人",
               (("高校毕业生", 1),), skill, jg_school, (jinggong, taihu), evaluator=ev_jg_school,
               female=0.1, online=0.1, hours_per_day=6, days=560, contract=True),
        Course("C38", "全日制学习", "电工", 3, on(y - 3, 9, 1), on(y, 6, 21), 8, 4800.0, "个人",
               (("贫困家庭学生", 1),), skill, jg_school, evaluator=ev_jg_school, female=0.1,
               online=0.1, hours_per_day=6, days=560, areas=CENTRAL_WEST),
    ]
    return c, e, schools


def assign_class_ids(courses: list[Course], place: Place = SUZHOU) -> None:
    """班级编号 like WZ2024-0301: prefix, start year, start month and a serial within the month."""
    seen: dict[str, int] = {}
    base = place.class_prefix
    for course in sorted(courses, key=lambda c: (c.start, c.key)):
        prefix = {"新型学徒制": base + "XT", "全日制学习": base + "QR"}.get(course.ttype, base)
        month = f"{prefix}{course.start:%Y-%m}"
        seen[month] = seen.get(month, 0) + 1
        course.class_id = f"{prefix}{course.start:%Y}-{course.start:%m}{seen[month]:02d}"


def fill_courses(rng: random.Random, people: People, courses: list[Course]) -> None:
    """Draw the trainees of each class, their attendance and whether they passed."""
    by_key = {c.key: c for c in courses}
    reused: set[str] = set()
    for course in courses:
        members: list[Person] = []
        for key, count in course.reuse:
            pool = [en.person for en in by_key[key].enrolments
                    if en.person.id_number not in reused and not en.person.pensioner]
            for person in rng.sample(pool, count):
                reused.add(person.id_number)
                members.append(person)
        while len(members) < course.size:
            members.append(people.new(course, pensioner=len(members) < course.pensioners))
        rng.shuffle(members)
        for person in members:
            enrol(rng, course, person)


def enrol(rng: random.Random, course: Course, person: Person) -> Enrolment:
    if course.payer == "mix":
        payer = "企业" if person.employer is not None and rng.random() < 0.45 else "个人"
    else:
        payer = course.payer
    passed = rng.random() < course.pass_rate
    required = course.days or weekdays(course.start, course.end)
    present = required if rng.random() < 0.82 else max(1, int(required * rng.uniform(0.80, 0.95)))
    total = present * course.hours_per_day
    online = int(total * course.online)
    enrolment = Enrolment(person, course, payer, passed, required, present, online, total)
    course.enrolments.append(enrolment)
    return enrolment


def issue_dates(rng: random.Random, courses: list[Course], period_end: dt.date) -> None:
    """Certificates come 6–20 days after the class ends, but not after the batch was filed."""
    for course in courses:
        if course.cert is None:
            continue
        issued = course.end + dt.timedelta(days=rng.randint(6, 20))
        course.issue_date = min(issued, period_end) if course.end < period_end else issued


def course_certificates(course: Course, numbers: CertNumbers) -> list[Cert]:
    """The certificates each passed trainee of a class obtained."""
    certs: list[Cert] = []
    issued = course.issue_date
    if course.cert is None or issued is None:
        return certs
    for index, en in enumerate(course.enrolments):
        if not en.passed:
            continue
        p = en.person
        level = course.level
        if course.cert == "职业技能等级证书":
            assert course.evaluator is not None and isinstance(level, int)
            number = numbers.skill_level(course.evaluator, level, issued)
            certs.append(Cert(p, course.cert, course.occupation, level, number, issued,
                              course.evaluator.name))
        elif course.cert == "特种作业操作证":
            certs.append(Cert(p, course.cert, course.occupation, None, "T" + p.id_number, issued,
                              course.issuer))
        elif course.cert == "特种设备作业人员证":
            serial = numbers.next(f"TS{issued:%y}", 3051)
            certs.append(Cert(p, course.cert, course.occupation, None, f"JSTS{issued:%y}{serial:06d}", issued,
                              course.issuer))
        elif course.cert == "专项职业能力证书":
            serial = numbers.next(f"ZX{issued:%y}", 1)
            number = f"ZX320506{issued:%y}{serial:05d}"
            certs.append(Cert(p, course.cert, course.occupation, "SPECIAL", number, issued, course.issuer))
        else:  # 培训合格证 / 结业证书: the school's own numbering, by class
            prefix = "JY" if course.cert == "结业证书" else "HG"
            certs.append(Cert(p, course.cert, course.occupation, None,
                              f"{prefix}-{course.class_id}-{index + 1:03d}", issued, course.issuer))
    return certs


# Occupations whose national standard, and so their certificates, are recent: nobody held one earlier.
NEW_STANDARDS = {"工业机器人系统操作员": dt.date(2020, 7, 1)}


def earlier_certificates(courses: list[Course], numbers: CertNumbers, rng: random.Random, place: Place, *,
                         share: float, short: int) -> tuple[dict[str, Cert], set[str]]:
    """For apprentices at 高级工 and above: the next-lower certificate in the same occupation (Wuxi E13).

    About ``share`` of them have it in the batch. It was issued two or more years before the
    apprenticeship started, except for ``short`` people (a rule that checks E13 must stop those).
    Nobody holds a certificate from before the occupation's national standard. Returns the
    certificates by ID number and the IDs of the ``short`` people.
    """
    holders: list[Enrolment] = []
    for course in courses:
        if course.ttype != "新型学徒制" or not isinstance(course.level, int) or course.level > 3:
            continue
        holders += [en for en in course.enrolments if rng.random() <= share]

    def window(course: Course, held_short: bool) -> tuple[dt.date, dt.date]:
        earliest = NEW_STANDARDS.get(course.occupation, dt.date(2016, 1, 1))
        if held_short:
            lo, hi = add_years(course.start, -2) + dt.timedelta(days=40), course.start - dt.timedelta(days=60)
        else:
            lo, hi = add_years(course.start, -7), add_years(course.start, -2) - dt.timedelta(days=10)
        return max(lo, earliest), hi

    possible = [en for en in holders if window(en.course, True)[0] <= window(en.course, True)[1]]
    short_ids = {en.person.id_number for en in rng.sample(possible, min(short, len(possible)))}
    found: dict[str, Cert] = {}
    for en in holders:
        course, p = en.course, en.person
        assert isinstance(course.level, int)
        lower = course.level + 1
        lo, hi = window(course, p.id_number in short_ids)
        if lo > hi:  # e.g. a 2020 apprenticeship in an occupation certified only since 2020
            continue
        issued = random_date(rng, lo, hi)
        if issued.year <= 2019:  # before the reform: an old 职业资格证书 with a 16-digit number
            number = numbers.qualification(lower, issued, place.city)
            found[p.id_number] = Cert(p, "职业资格证书", course.occupation, lower, number, issued,
                                      place.old_issuer, level_text=OLD_LEVEL_LABEL[lower])
        else:
            ev = place.centre
            found[p.id_number] = Cert(p, "职业技能等级证书", course.occupation, lower,
                                      numbers.skill_level(ev, lower, issued), issued, ev.name)
    return found, short_ids


# -- rows ----------------------------------------------------------------------------------------
Row = dict[str, Any]


def yn(flag: bool) -> str:
    return "是" if flag else "否"


def roster_row(en: Enrolment) -> Row:
    p, c = en.person, en.course
    show_contract = c.contract and p.contract is not None
    return {
        "姓名": p.name, "身份证号码": p.id_number, "性别": p.sex, "手机号码": p.phone, "人员类别": p.category,
        "单位名称": p.employer.name if p.employer else None,
        "统一社会信用代码": p.employer.code if p.employer else None,
        "培训类型": c.ttype, "职业(工种)": c.occupation, "培训等级": LEVEL_LABEL[c.level],
        "开班日期": c.start, "结业日期": c.end, "备案结束日期": c.filed_end,
        "培训机构": c.inst.name if c.inst else None, "机构统一社会信用代码": c.inst.code if c.inst else None,
        "培训费用": c.fee, "出资方": en.payer, "是否参保": yn(p.insured), "参保月数": p.insured_months,
        "是否领取养老金": yn(p.pensioner),
        "是否紧缺职业": yn(c.shortage), "考核结果": "合格" if en.passed else "不合格",
        "劳动合同起始日期": p.contract[0] if show_contract and p.contract else None,
        "劳动合同终止日期": p.contract[1] if show_contract and p.contract else None,
        "班级编号": c.class_id, "银行账号": p.account, "户名": p.name,
    }


def attendance_row(en: Enrolment) -> Row:
    offline = en.hours_total - en.hours_online
    note = "" if en.days_present == en.days_required else "请假"
    return {"班级编号": en.course.class_id, "身份证号码": en.person.id_number, "姓名": en.person.name,
            "总学时": en.hours_total, "线上学时": en.hours_online, "线下学时": offline,
            "应出勤天数": en.days_required, "实际出勤天数": en.days_present,
            "出勤率": round(en.days_present / en.days_required, 3), "备注": note or None}


def cert_row(cert: Cert) -> Row:
    if cert.level_text is not None:
        level = cert.level_text
    elif cert.level is None:
        level = None
    else:
        level = LEVEL_LABEL[cert.level]
    return {"姓名": cert.person.name, "身份证号码": cert.person.id_number, "证书类型": cert.kind,
            "职业(工种)": cert.occupation, "等级": level, "证书编号": cert.number, "发证日期": cert.issued,
            "发证机构": cert.issuer, "是否本市取证": yn(cert.local)}


# -- writing -----------------------------------------------------------------------------------
class Formats:
    def __init__(self, wb: Any) -> None:
        cell = {"border": 1, "font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        self.title = wb.add_format({"bold": True, "font_name": "黑体", "font_size": 16, "align": "center",
                                    "valign": "vcenter"})
        self.sub = wb.add_format({"font_name": "宋体", "font_size": 10, "align": "left", "valign": "vcenter"})
        self.header = wb.add_format({**cell, "bold": True, "align": "center", "text_wrap": True,
                                     "bg_color": "#D9E1F2"})
        self.numbering = wb.add_format({**cell, "align": "center", "font_color": "#595959"})
        self.text = wb.add_format({**cell, "num_format": "@"})
        self.plain = wb.add_format(cell)
        self.date = wb.add_format({**cell, "num_format": "yyyy-mm-dd", "align": "center"})
        self.money = wb.add_format({**cell, "num_format": "0.00"})
        self.int = wb.add_format({**cell, "num_format": "0", "align": "center"})
        self.percent = wb.add_format({**cell, "num_format": "0.0%", "align": "center"})
        self.total = wb.add_format({**cell, "bold": True})
        self.total_money = wb.add_format({**cell, "bold": True, "num_format": "0.00"})
        self.footer = wb.add_format({"font_name": "宋体", "font_size": 10})

    def for_column(self, header: str) -> Any:
        if header in TEXT_COLUMNS:
            return self.text
        if header in DATE_COLUMNS:
            return self.date
        if header in MONEY_COLUMNS:
            return self.money
        if header in INT_COLUMNS:
            return self.int
        if header in PERCENT_COLUMNS:
            return self.percent
        return self.plain


def write_cell(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, Formula):
        ws.write_formula(row, col, value.formula, fmt, value.cached)
    elif isinstance(value, Num):
        ws.write_number(row, col, value.value, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt)
    elif isinstance(value, bool):
        raise TypeError("booleans are written as 是/否")
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        raise TypeError(f"cannot write {value!r}")


@dataclass
class Table:
    """One sheet's table and where each of its data rows landed (Excel row numbers)."""

    sheet: str
    title: str
    subtitle: str
    headers: Sequence[str]
    rows: list[Row]
    numbering: bool = False
    blank_before: int | None = None  # data index before which a blank row is left
    total_of: str | None = None  # header of the column summed in a 合计 row
    footers: Sequence[str] = ()
    excel_rows: list[int] = field(default_factory=list)


def write_table(wb: Any, fmts: Formats, table: Table) -> None:
    ws = wb.add_worksheet(table.sheet)
    last = len(table.headers) - 1
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, last, table.title, fmts.title)
    ws.merge_range(1, 0, 1, last, table.subtitle, fmts.sub)
    header_row = 2
    ws.set_row(header_row, 30)
    for col, header in enumerate(table.headers):
        ws.write_string(header_row, col, header, fmts.header)
        width = WIDTHS.get(header, 6 if header == "序号" else 12 if header in DATE_COLUMNS else 10)
        ws.set_column(col, col, width, fmts.text if header in TEXT_COLUMNS else None)
    row = header_row + 1
    if table.numbering:  # (甲)(乙)(1)(2)… under the header, as on printed forms
        for col in range(len(table.headers)):
            label = "(甲)" if col == 0 else "(乙)" if col == 1 else f"({col - 1})"
            ws.write_string(row, col, label, fmts.numbering)
        row += 1
    ws.freeze_panes(row, 3 if table.headers[1] == "姓名" else 4)
    first_data = row
    for index, record in enumerate(table.rows):
        if table.blank_before is not None and index == table.blank_before:
            row += 1
        for col, header in enumerate(table.headers):
            value = index + 1 if header == "序号" else record.get(header)
            write_cell(ws, row, col, value, fmts.for_column(header))
        table.excel_rows.append(row + 1)
        row += 1
    if table.total_of is not None:
        ws.write_string(row, 0, "合计", fmts.total)
        ws.write_string(row, 1, f"{len(table.rows)}人", fmts.total)
        col = table.headers.index(table.total_of)
        cells = [r.get(table.total_of) for r in table.rows]
        cached = round(sum(v.cached if isinstance(v, Formula) else v for v in cells
                           if isinstance(v, Formula | int | float)), 2)
        letter = xl_col_to_name(col)
        formula = f"=SUM({letter}{first_data + 1}:{letter}{row})"
        ws.write_formula(row, col, formula, fmts.total_money, cached)
        for other in range(len(table.headers)):
            if other not in (0, 1, col):
                ws.write_blank(row, other, None, fmts.total)
        row += 1
    row += 1
    for line in table.footers:
        ws.write_string(row, 0, line, fmts.footer)
        row += 1


def write_notes(wb: Any, fmts: Formats) -> None:
    ws = wb.add_worksheet("填表说明")
    ws.set_column(0, 0, 100)
    ws.write_string(0, 0, NOTES[0], fmts.title)
    for i, line in enumerate(NOTES[1:], start=1):
        ws.write_string(i, 0, line, fmts.footer)


def save(path: Path, tables: list[Table], title: str, bureau: str, period: Period) -> None:
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": title, "author": bureau, "company": bureau, "created": period.created,
                       "comments": "Generated by scripts/make_sample.py (fixed seed)."})
    wb.set_calc_mode("auto")
    fmts = Formats(wb)
    for table in tables:
        write_table(wb, fmts, table)
    write_notes(wb, fmts)
    wb.close()


SIGNATURE = "经办人：            审核人：            负责人："
ROSTER_NOTE = "注：本表一式三份，区人社局、区财政局、培训机构各存一份。"


@dataclass(frozen=True)
class Titles:
    """The title and subtitle lines above each sheet's table."""

    roster: str
    roster_sub: str
    attendance: str
    attendance_sub: str
    certificates: str
    certificates_sub: str


def titles(period: Period, bureau: str, *, subject: str = "职业技能培训", trainees: str = "培训学员",
           suffix: str = "", source: str = "统计口径：各承训机构、企业报送    ") -> Titles:
    return Titles(
        f"{period.label}{subject}补贴申请花名册{suffix}",
        f"填报单位（盖章）：{bureau}    填报日期：{period.end_label}",
        f"{period.label}{subject}学员考勤汇总表{suffix}", f"{source}统计截止：{period.end_label}",
        f"{period.label}{trainees}取证情况表{suffix}", f"汇总单位：{bureau}",
    )


DISTRICT_ROSTER_HEADERS = (*ROSTER_HEADERS[:ROSTER_HEADERS.index("是否参保") + 1], "参保月数",
                           *ROSTER_HEADERS[ROSTER_HEADERS.index("是否参保") + 1:])


def months_insured(rng: random.Random, person: Person, period: Period) -> int | None:
    """参保月数 up to the period: months paid, from the month the contract (or the insurance) began."""
    if not person.insured:
        return None
    if person.contract is not None:
        since = person.contract[0]
    else:  # an employee insured for a while already
        lo = max(add_years(person.birth, 18), add_years(period.end, -20))
        since = random_date(rng, lo, max(lo, period.end - dt.timedelta(days=400)))
    return (period.year - since.year) * 12 + period.month - since.month + 1


def label_levelless(certs: list[Cert]) -> None:
    """Certificates without a skill level say 无等级 in 等级, as the roster's 培训等级 does for their class."""
    for cert in certs:
        if cert.level is None and cert.level_text is None:
            cert.level_text = LEVEL_LABEL["NONE"]


def build_district(out: Path) -> dict[str, int]:
    period, place = DISTRICT_PERIOD, SUZHOU
    rng = random.Random(SEED_CLEAN)
    people = People(rng, period.year, place)
    courses, enterprises, schools = district_courses(rng, period)
    assign_class_ids(courses, place)
    fill_courses(rng, people, courses)
    issue_dates(rng, courses, period.end)
    numbers = CertNumbers()
    ordered = sorted(courses, key=lambda c: (c.start, c.class_id))
    enrolments = [en for c in ordered for en in c.enrolments]

    earlier, _ = earlier_certificates(ordered, numbers, rng, place, share=0.75, short=2)
    certs: list[Cert] = []
    for course in ordered:
        for cert in course_certificates(course, numbers):
            if cert.person.id_number in earlier and course.ttype == "新型学徒制":
                certs.append(earlier.pop(cert.person.id_number))
            certs.append(cert)
    certs.extend(earlier.values())  # apprentices who failed still hold their earlier certificate
    label_levelless(certs)
    # Two special-operation certificates were obtained outside the city (E7: they do not count).
    outside = [c for c in certs if c.kind == "特种作业操作证" and c.occupation == "登高架设作业"][:2]
    for cert in outside:
        cert.local, cert.issuer = False, "无锡市应急管理局"
    for person in {id(en.person): en.person for en in enrolments}.values():
        person.insured_months = months_insured(rng, person, period)

    t = titles(period, place.bureau)
    roster = Table("花名册", t.roster, t.roster_sub, DISTRICT_ROSTER_HEADERS, [roster_row(en) for en in enrolments],
                   total_of="培训费用", footers=(SIGNATURE, ROSTER_NOTE))
    attendance = Table("考勤", t.attendance, t.attendance_sub, ATTENDANCE_HEADERS,
                       [attendance_row(en) for en in enrolments], footers=("填表人：            复核人：",))
    cert_table = Table("证书", t.certificates, t.certificates_sub, CERT_HEADERS, [cert_row(c) for c in certs],
                       footers=("经办人：            审核人：",))
    save(out / "district_batch.xlsx", [roster, attendance, cert_table], t.roster, place.bureau, period)
    people_count = len({en.person.id_number for en in enrolments})
    return {"roster": len(roster.rows), "attendance": len(attendance.rows),
            "certificates": len(cert_table.rows), "people": people_count, "classes": len(courses),
            "enterprises": len(enterprises), "institutions": len(schools)}


# -- the clean Wuxi apprenticeship batch ------------------------------------------------------------
def wuxi_courses(rng: random.Random, period: Period) -> tuple[list[Course], list[Org], list[Org]]:
    """The apprenticeship classes of a 新吴区 batch: 12–24 months, closing in the three months before the period.

    Dates are relative to ``period`` as in ``district_courses``. Every wuxi-2024 rule meets some rows:
    A17 (中级工 … 高级技师), A18 (an occupation without levels, 培训合格证), E12 (one class finished before
    its filed end), E16 (one joint class of two enterprises); E11, E13 and E14 are met by chosen people
    in ``build_wuxi``.
    """
    y, on = period.year, period.date
    jingmi = Org("无锡新吴精密机械有限公司", make_uscc(rng, "91", "320200", "old"))  # registered with the city
    shuofang = Org("无锡硕放汽车零部件有限公司", make_uscc(rng, "91", "320214", "MA"))
    meicun = Org("无锡梅村智能装备有限公司", make_uscc(rng, "91", "320214", "MA"))
    wangzhuang = Org("无锡旺庄微电子科技有限公司", make_uscc(rng, "91", "320214", "MA"))
    college = Org("无锡新吴技师学院", make_uscc(rng, "12", "320200", "old"))
    school = Org("无锡梅村技工学校", make_uscc(rng, "52", "320214", "MA"))
    ev_jingmi = Evaluator(jingmi.name, "Y", "1462", "020615")  # the enterprise's own skill evaluation
    ev_college = Evaluator(college.name, "S", "0526", "020603")
    ev_city = WUXI.centre
    staff = (("企业职工", 1),)
    skill = "职业技能等级证书"
    c = [
        Course("W1", "新型学徒制", "数控车工", 4, on(y - 1, 4, 10), on(y, 4, 9), 24, 6000.0, "企业", staff, skill,
               college, (jingmi,), filed_end=on(y, 4, 9), shortage=True, evaluator=ev_jingmi, female=0.1,
               online=0.3, days=96, contract=True, birth=(y - 30, y - 19), pass_rate=1.0),
        # A joint class of two enterprises (E16: each is paid for its own apprentices).
        Course("W2", "新型学徒制", "电工", 3, on(y - 2, 6, 1), on(y, 5, 31), 24, 9000.0, "企业", staff, skill,
               college, (shuofang, meicun), filed_end=on(y, 5, 31), shortage=True, evaluator=ev_college,
               female=0.05, online=0.3, days=160, contract=True, birth=(y - 36, y - 23), pass_rate=1.0),
        # Finished three months before its filed end: paid for the 21 months actually trained.
        Course("W3", "新型学徒制", "装配钳工", 2, on(y - 2, 9, 5), on(y, 6, 4), 16, 10000.0, "企业", staff, skill,
               college, (meicun,), filed_end=on(y, 9, 4), evaluator=ev_city, female=0.0, online=0.25,
               days=150, contract=True, birth=(y - 45, y - 30), pass_rate=1.0),
        Course("W4", "新型学徒制", "加工中心操作工", 1, on(y - 2, 7, 1), on(y, 6, 28), 8, 12000.0, "企业", staff,
               skill, college, (jingmi,), filed_end=on(y, 6, 30), shortage=True, evaluator=ev_city,
               female=0.0, online=0.2, days=160, contract=True, birth=(y - 52, y - 36), pass_rate=1.0),
        # An occupation without skill-level evaluation: enterprise and school examine together and the
        # school issues a 培训合格证 (A18).
        Course("W5", "新型学徒制", "工业视觉系统运维员", "NONE", on(y - 1, 5, 6), on(y, 5, 5), 14, 5000.0, "企业",
               staff, "培训合格证", school, (wangzhuang,), filed_end=on(y, 5, 5), issuer=school.name,
               female=0.35, online=0.35, days=96, contract=True, birth=(y - 30, y - 20), pass_rate=1.0),
        Course("W6", "新型学徒制", "焊工", 4, on(y - 1, 6, 5), on(y, 6, 4), 12, 6000.0, "企业", staff, skill,
               school, (shuofang,), filed_end=on(y, 6, 4), shortage=True, evaluator=ev_city, female=0.05,
               online=0.2, days=96, contract=True, birth=(y - 35, y - 20), pass_rate=1.0),
    ]
    return c, [jingmi, shuofang, meicun, wangzhuang], [college, school]


def short_contract(rng: random.Random, course: Course) -> tuple[dt.date, dt.date]:
    """A fixed-term contract of 6–11 months, renewed during the class and running past its end (E11)."""
    months = rng.choice((6, 9, 10, 11))
    end = random_date(rng, course.end + dt.timedelta(days=15), course.end + dt.timedelta(days=120))
    return add_months(end + dt.timedelta(days=1), -months), end


def build_wuxi(out: Path) -> dict[str, int]:
    period, place = WUXI_PERIOD, WUXI
    rng = random.Random(SEED_WUXI)
    people = People(rng, period.year, place)
    courses, enterprises, schools = wuxi_courses(rng, period)
    assign_class_ids(courses, place)
    fill_courses(rng, people, courses)
    issue_dates(rng, courses, period.end)
    ordered = sorted(courses, key=lambda c: (c.start, c.class_id))
    enrolments = [en for c in ordered for en in c.enrolments]
    numbers = CertNumbers()
    # Every apprentice at 高级工 and above has the next-lower certificate; three got it less than two
    # years before the start (E13).
    earlier, held_short = earlier_certificates(ordered, numbers, rng, place, share=1.0, short=3)

    # Others fail one requirement each: four failed the examination (one in the class without levels),
    # three have a contract shorter than a year (E11), two did more than 40 % of their hours online (E14).
    pool = [en for en in enrolments if en.person.id_number not in held_short]
    failed = rng.sample([en for en in pool if en.course.level != "NONE"], 3)
    failed += rng.sample([en for en in pool if en.course.level == "NONE"], 1)
    pool = [en for en in pool if all(en is not f for f in failed)]
    picked = rng.sample(pool, 5)
    for en in failed:
        en.passed = False
    for en in picked[:3]:
        en.person.contract = short_contract(rng, en.course)
    for en in picked[3:]:
        en.hours_online = round(en.hours_total * rng.uniform(0.45, 0.55))

    certs: list[Cert] = []
    for course in ordered:
        for cert in course_certificates(course, numbers):
            if cert.person.id_number in earlier:
                certs.append(earlier.pop(cert.person.id_number))
            certs.append(cert)
    certs.extend(earlier.values())  # apprentices who failed still hold their earlier certificate
    label_levelless(certs)

    t = titles(period, place.bureau, subject="企业新型学徒制培训", trainees="新型学徒制学员")
    roster = Table("花名册", t.roster, t.roster_sub, ROSTER_HEADERS, [roster_row(en) for en in enrolments],
                   total_of="培训费用", footers=(SIGNATURE, ROSTER_NOTE))
    attendance = Table("考勤", t.attendance, t.attendance_sub, ATTENDANCE_HEADERS,
                       [attendance_row(en) for en in enrolments], footers=("填表人：            复核人：",))
    cert_table = Table("证书", t.certificates, t.certificates_sub, CERT_HEADERS, [cert_row(c) for c in certs],
                       footers=("经办人：            审核人：",))
    save(out / "wuxi_apprentices_2024.xlsx", [roster, attendance, cert_table], t.roster, place.bureau, period)
    return {"roster": len(roster.rows), "attendance": len(attendance.rows),
            "certificates": len(cert_table.rows), "classes": len(courses), "enterprises": len(enterprises),
            "institutions": len(schools), "failed": len(failed), "short_contracts": 3, "online_over_40%": 2,
            "lower_cert_under_2_years": len(held_short)}


# -- the batch with planted mistakes -----------------------------------------------------------
@dataclass
class Plant:
    """A finding the tool must (``expected``) or must not report at one cell."""

    table: Table
    record: Row
    column: str
    code: str
    expected: bool = True


FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
NAME_VARIANTS = dict(zip("小晓明华丽静伟杰玲琳红军刚燕艳峰", "晓小鸣桦莉婧玮洁琳林虹君钢艳燕锋", strict=True))


def variant_name(name: str) -> str:
    """The same name with one character swapped for a homophone, as typed on another sheet."""
    for i in range(len(name) - 1, 0, -1):
        if name[i] in NAME_VARIANTS:
            return name[:i] + NAME_VARIANTS[name[i]] + name[i + 1:]
    return name[:-1] + ("晓" if name[-1] != "晓" else "小")


def mistakes_courses(rng: random.Random) -> list[Course]:
    jinggong = Org("苏州精工机械有限公司", make_uscc(rng, "91", "320506", "MA"))
    huatai = Org("苏州吴中华泰电子科技有限公司", make_uscc(rng, "91", "320506", "MA"))
    taihu = Org("苏州太湖智能装备有限公司", make_uscc(rng, "91", "320506", "old"))
    peixun = Org("吴中区职业技能培训学校", make_uscc(rng, "52", "320506", "MA"))
    jishi = Org("苏州吴中技师学院", make_uscc(rng, "12", "320506", "old"))
    anquan = Org("苏州太湖安全技术培训学校", make_uscc(rng, "52", "320506", "MA"))
    mudu_center = Org("苏州市吴中区木渎职业技能培训中心", make_uscc(rng, "52", "320506", "MA"))
    ev_city = Evaluator("苏州市职业技能鉴定中心", "S", "0102", "050001")
    ev_taihu = Evaluator(taihu.name, "Y", "1375", "050614")
    staff = (("企业职工", 1),)
    return [
        Course("M1", "技能提升", "电工", 4, d(2024, 3, 4), d(2024, 4, 12), 14, 1500.0, "mix", staff,
               "职业技能等级证书", anquan, (jinggong, huatai), evaluator=ev_city, female=0.1, online=0.2),
        Course("M2", "新型学徒制", "加工中心操作工", 3, d(2023, 3, 6), d(2024, 3, 5), 10, 7000.0, "企业",
               staff, "职业技能等级证书", jishi, (taihu,), filed_end=d(2024, 3, 5), shortage=True,
               evaluator=ev_taihu,
               female=0.1, online=0.3, days=96, contract=True, birth=(1992, 2001)),
        Course("M3", "就业技能培训", "养老护理员", 5, d(2024, 4, 8), d(2024, 5, 10), 14, 1200.0, "机构",
               (("农村转移劳动力", 3), ("城镇登记失业人员", 2), ("就业困难人员", 1)), "职业技能等级证书",
               peixun,
               shortage=True, evaluator=ev_city, female=0.8, online=0.2, birth=(1968, 1995)),
        Course("M4", "特种作业培训", "低压电工作业", "NONE", d(2024, 5, 13), d(2024, 5, 24), 12, 780.0, "mix",
               staff, "特种作业操作证", anquan, (jinggong, huatai), issuer="苏州市应急管理局", female=0.05),
        Course("M5", "专项能力培训", "苏绣制作", "SPECIAL", d(2024, 2, 26), d(2024, 3, 22), 10, 800.0, "机构",
               (("农村转移劳动力", 1), ("城镇登记失业人员", 1)), "专项职业能力证书", mudu_center,
               issuer="苏州市职业技能鉴定中心", female=0.95, hours_per_day=6),
    ]


@dataclass
class Planting:
    """The mistakes batch as it is written: its rows by enrolment and every mistake planted so far."""

    rows: list[tuple[Enrolment, Row]]
    roster: Table
    plants: list[Plant] = field(default_factory=list)
    no_sheets: set[int] = field(default_factory=set)  # enrolments (by id) whose attendance and certificate rows are left out
    marked: dict[str, Enrolment] = field(default_factory=dict)  # enrolments later sheets treat apart, by role

    def at(self, course: Course, i: int) -> tuple[Enrolment, Row]:
        en = course.enrolments[i]
        return next(pair for pair in self.rows if pair[0] is en)

    def plant(self, table: Table, record: Row, column: str, code: str, value: Any = None, *,
              expected: bool = True, keep: bool = False) -> None:
        if not keep:
            record[column] = value
        self.plants.append(Plant(table, record, column, code, expected))

    def broken_id(self, course: Course, i: int, value: Any, code: str) -> None:
        en, rec = self.at(course, i)
        self.plant(self.roster, rec, "身份证号码", code, value)
        self.no_sheets.add(id(en))


def build_mistakes(out: Path) -> dict[str, int]:
    period = MISTAKES_PERIOD
    rng = random.Random(SEED_MISTAKES)
    people = People(rng, period.year)
    courses = mistakes_courses(rng)
    assign_class_ids(courses)
    for course in courses:
        for _ in range(course.size):
            enrol(rng, course, people.new(course))
        for en in course.enrolments:  # every trainee passes: certificates line up with the roster
            en.passed = True
    issue_dates(rng, courses, period.end)
    mistaken_ids(people, courses)
    numbers = CertNumbers()

    rows: list[tuple[Enrolment, Row]] = [(en, roster_row(en)) for c in courses for en in c.enrolments]
    att: list[tuple[Enrolment, Row]] = [(en, attendance_row(en)) for en, _ in rows]
    certs: list[tuple[Enrolment | None, Row]] = []
    for course in courses:
        by_person = {id(en.person): en for en in course.enrolments}
        certs += [(by_person[id(c.person)], cert_row(c)) for c in course_certificates(course, numbers)]

    t = titles(period, BUREAU, suffix="（第二批）", source="")
    roster = Table("花名册", t.roster, t.roster_sub, ROSTER_HEADERS, [], numbering=True,
                   total_of="培训费用", footers=(SIGNATURE, ROSTER_NOTE))
    attendance = Table("考勤", t.attendance, t.attendance_sub, ATTENDANCE_HEADERS, [],
                       footers=("填表人：            复核人：",))
    cert_table = Table("证书", t.certificates, t.certificates_sub, CERT_HEADERS,
                       [], footers=("经办人：            审核人：",))
    planting = Planting(rows, roster)
    m1, m2, m3, m4, m5 = courses
    plant_m1(planting, m1)
    plant_m2(planting, m2)
    plant_m3(planting, m3)
    # M4 — 特种作业 低压电工作业
    _, rec = planting.at(m4, 2)
    planting.plant(roster, rec, "机构统一社会信用代码", "uscc.format", rec["机构统一社会信用代码"][:17])
    # M5 — 专项能力 苏绣制作
    _, rec = planting.at(m5, 2)
    planting.plant(roster, rec, "开班日期", "date.invalid", "2024-02-30")
    roster.rows = ordered_roster(planting)
    attendance.rows, outsider = mistaken_attendance(planting, attendance, att, courses, people)
    gone_cert = cert_row(Cert(outsider, "特种作业操作证", m4.occupation, None, "T" + outsider.id_number,
                              m4.issue_date or period.end, "苏州市应急管理局"))
    cert_table.rows = [*mistaken_certificates(planting, cert_table, certs, courses), gone_cert]
    planting.plants.append(Plant(cert_table, gone_cert, "身份证号码", "cert.not-on-roster"))

    plants = planting.plants
    save(out / "mistakes_batch.xlsx", [roster, attendance, cert_table], t.roster, BUREAU, period)
    expected = [p for p in plants if p.expected]
    write_plants(out / "mistakes_expected.csv", expected)
    write_plants(out / "mistakes_not_expected.csv", [p for p in plants if not p.expected])
    return {"roster": len(roster.rows), "attendance": len(attendance.rows),
            "certificates": len(cert_table.rows), "expected": len(expected),
            "not_expected": len(plants) - len(expected)}


def mistaken_ids(people: People, courses: list[Course]) -> None:
    """The people whose IDs the mistakes need: an X at the end, an old 15-digit number, none with X
    where the number will be typed as a number."""
    m1, m2, m3 = courses[:3]
    # A person whose ID ends in X, for the lowercase-x row.
    p = m1.enrolments[3].person
    p.id_number = people.id_number(p.id_number[:6], p.birth, p.sex, "X")
    # The old 15-digit ID belongs to someone born long before 18-digit numbers (1999).
    p = m2.enrolments[3].person
    p.birth = d(1979, 4, 16)
    p.name = people.name(p.sex, "320506", p.birth)
    p.id_number = people.id_number(id_area("320506", p.birth), p.birth, p.sex)
    for en in (m1.enrolments[7], m3.enrolments[8]):  # IDs that will be typed as numbers or 3.2E+17
        while en.person.id_number.endswith("X"):
            en.person.id_number = people.id_number(en.person.id_number[:6], en.person.birth, en.person.sex)


def plant_m1(planting: Planting, m1: Course) -> None:
    """M1 — 技能提升 电工 中级工."""
    roster, plant, at = planting.roster, planting.plant, planting.at
    _, rec = at(m1, 0)
    plant(roster, rec, "开班日期", "date.invalid", "2024.3.4", expected=False)  # accepted text form
    en, rec = at(m1, 1)
    good = rec["身份证号码"]
    planting.broken_id(m1, 1, good[:-1] + ("1" if good[-1] != "1" else "2"), "id.checksum")
    _, rec = at(m1, 2)
    plant(roster, rec, "是否参保", "value.yes-no", "已参保")
    en, rec = at(m1, 3)
    plant(roster, rec, "身份证号码", "id.checksum", rec["身份证号码"].lower(), expected=False)
    plant(roster, rec, "身份证号码", "id.format", keep=True, expected=False)
    planting.marked["lower_x"] = en
    _, rec = at(m1, 4)
    plant(roster, rec, "性别", "sex.mismatch", "女" if rec["性别"] == "男" else "男")
    _, rec = at(m1, 5)
    code = rec["统一社会信用代码"]
    plant(roster, rec, "统一社会信用代码", "uscc.checksum", code[:-1] + ("A" if code[-1] != "A" else "B"))
    _, rec = at(m1, 6)
    plant(roster, rec, "开班日期", "date.month-only", "2024年3月")
    _, rec = at(m1, 7)
    planting.broken_id(m1, 7, Num(float(int(rec["身份证号码"]))), "id.precision-lost")
    planting.marked["duplicate"], _ = at(m1, 9)
    _, rec = at(m1, 11)
    plant(roster, rec, "培训费用", "money.sub-fen", 1266.666)
    _, rec = at(m1, 12)
    plant(roster, rec, "手机号码", "phone.format", rec["手机号码"][:10])
    _, rec = at(m1, 13)
    plant(roster, rec, "培训费用", "cell.formula", Formula("=1000*1.5", 1500))


def plant_m2(planting: Planting, m2: Course) -> None:
    """M2 — 新型学徒制 加工中心操作工 高级工."""
    roster, plant, at = planting.roster, planting.plant, planting.at
    _, rec = at(m2, 1)
    plant(roster, rec, "备案结束日期", "date.filed-before-start", d(2023, 2, 28))
    en, rec = at(m2, 2)
    plant(roster, rec, "身份证号码", "id.format", rec["身份证号码"].translate(FULLWIDTH), expected=False)
    plant(roster, rec, "身份证号码", "id.checksum", keep=True, expected=False)
    planting.marked["full_width"] = en
    en, rec = at(m2, 3)
    p = en.person
    planting.broken_id(m2, 3, p.id_number[:6] + p.id_number[8:17], "id.old-15-digit")
    planting.marked["renamed"], _ = at(m2, 4)
    _, rec = at(m2, 5)
    plant(roster, rec, "培训等级", "level.unknown", "九级")
    _, rec = at(m2, 6)
    plant(roster, rec, "培训费用", "money.invalid", "abc")
    _, rec = at(m2, 7)
    plant(roster, rec, "劳动合同起始日期", "date.invalid", "2021年5月8日", expected=False)  # accepted form


def plant_m3(planting: Planting, m3: Course) -> None:
    """M3 — 就业技能培训 养老护理员 初级工."""
    roster, plant, at = planting.roster, planting.plant, planting.at
    _, rec = at(m3, 0)
    plant(roster, rec, "结业日期", "date.invalid", "2024年5月10日", expected=False)  # accepted text form
    en, rec = at(m3, 1)
    p = en.person
    no_day = id_with_check(p.id_number[:6] + f"{p.birth.year}0231" + p.id_number[14:17])  # 31 February
    planting.broken_id(m3, 1, no_day, "id.birth-date")
    _, rec = at(m3, 2)
    start, end = rec["开班日期"], rec["结业日期"]
    plant(roster, rec, "开班日期", "date.order", end)
    rec["结业日期"] = start
    _, rec = at(m3, 3)
    plant(roster, rec, "姓名", "name.missing", None)
    _, rec = at(m3, 4)
    plant(roster, rec, "银行账号", "account.format", rec["银行账号"][:8] + "O" + rec["银行账号"][9:])
    _, rec = at(m3, 5)
    plant(roster, rec, "培训类型", "value.not-in-list", "职业培训")
    _, rec = at(m3, 6)
    plant(roster, rec, "结业日期", "date.after-period", d(2024, 7, 5))
    en, rec = at(m3, 7)
    plant(roster, rec, "姓名", "name.has-digits", rec["姓名"] + "2")
    planting.marked["digits"] = en
    _, rec = at(m3, 8)
    planting.broken_id(m3, 8, rec["身份证号码"][:5] + rec["身份证号码"][6:], "id.format")
    _, rec = at(m3, 9)
    planting.broken_id(m3, 9, f"{int(rec['身份证号码'][:6]) / 100000:.5f}E+17", "id.precision-lost")


def ordered_roster(planting: Planting) -> list[Row]:
    """The roster in order, with the same person entered twice in one class and a blank row."""
    ordered_rows: list[Row] = []
    for en, rec in planting.rows:
        ordered_rows.append(rec)
        if en is planting.marked["duplicate"]:
            duplicate = dict(rec)
            ordered_rows.append(duplicate)
            planting.plants.append(Plant(planting.roster, duplicate, "身份证号码", "roster.duplicate-person"))
    planting.roster.blank_before = 30
    return ordered_rows


def mistaken_attendance(planting: Planting, attendance: Table, att: list[tuple[Enrolment, Row]],
                        courses: list[Course], people: People) -> tuple[list[Row], Person]:
    """Attendance: the clerk's version of the roster, with its own slips, and someone who left the
    class (returned): still in attendance and certificates, no longer on the roster."""
    m1, _, m3, m4, _ = courses
    plant, marked = planting.plant, planting.marked
    att_rows: list[Row] = []
    for en, rec in att:
        if id(en) in planting.no_sheets:
            continue
        att_rows.append(rec)
        if en is marked["renamed"]:
            plant(attendance, rec, "姓名", "name.mismatch", variant_name(rec["姓名"]))
        elif en is marked["digits"]:
            planting.plants.append(Plant(attendance, rec, "姓名", "name.mismatch"))  # roster says 姓名+2
        elif en is marked["lower_x"] or en is marked["full_width"]:
            planting.plants.append(Plant(attendance, rec, "身份证号码", "attendance.not-on-roster", expected=False))
        elif en is m3.enrolments[11]:
            plant(attendance, rec, "实际出勤天数", "attendance.present-exceeds-required",
                  rec["应出勤天数"] + 2)
        elif en is m1.enrolments[10]:
            plant(attendance, rec, "线上学时", "attendance.online-exceeds-total", rec["总学时"] + 8)
            planting.plants.append(Plant(attendance, rec, "总学时", "attendance.hours-sum"))
        elif en is m4.enrolments[5]:
            plant(attendance, rec, "实际出勤天数", "number.negative", -2)
    outsider = people.new(m4)
    gone = Enrolment(outsider, m4, "个人", True, 10, 10, 0, 80)
    gone_att = attendance_row(gone)
    att_rows.insert(next(i for i, r in enumerate(att_rows) if r["班级编号"] == m4.class_id) + 6, gone_att)
    planting.plants.append(Plant(attendance, gone_att, "身份证号码", "attendance.not-on-roster"))
    return att_rows, outsider


def mistaken_certificates(planting: Planting, cert_table: Table, certs: list[tuple[Enrolment | None, Row]],
                          courses: list[Course]) -> list[Row]:
    """Certificates: a duplicate number, a level and a year the number contradicts, an invalid date."""
    m1, _, m3, _, m5 = courses
    plant, marked = planting.plant, planting.marked
    cert_rows: list[Row] = []
    first_m1: Row | None = None
    for en, rec in certs:
        if en is None or id(en) in planting.no_sheets:
            continue
        cert_rows.append(rec)
        if en is marked["digits"]:
            planting.plants.append(Plant(cert_table, rec, "姓名", "name.mismatch"))
        elif en is marked["lower_x"] or en is marked["full_width"]:
            planting.plants.append(Plant(cert_table, rec, "身份证号码", "cert.not-on-roster", expected=False))
        elif en.course is m1 and first_m1 is None:
            first_m1 = rec
        elif en is m1.enrolments[5]:
            assert first_m1 is not None
            plant(cert_table, rec, "证书编号", "cert.duplicate-number", first_m1["证书编号"])
        elif en is m1.enrolments[8]:
            plant(cert_table, rec, "等级", "cert.number-level-mismatch", LEVEL_LABEL[3])
            planting.plants[-1].column = "证书编号"  # the tool names the certificate number
        elif en is m3.enrolments[12]:
            number = rec["证书编号"]
            plant(cert_table, rec, "证书编号", "cert.number-year-mismatch", number[:13] + "23" + number[15:])
        elif en is m5.enrolments[4]:
            plant(cert_table, rec, "发证日期", "date.invalid", "2024.6.31")
    return cert_rows


def write_plants(path: Path, plants: list[Plant]) -> None:
    lines = []
    for p in plants:
        row = p.table.excel_rows[next(i for i, r in enumerate(p.table.rows) if r is p.record)]
        lines.append((p.table.sheet, row, p.column, p.code))
    order = {"花名册": 0, "考勤": 1, "证书": 2}
    lines.sort(key=lambda t: (order[t[0]], t[1], t[2], t[3]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("sheet", "row", "column", "code"))
        writer.writerows(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="output folder, normally sample_data")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    steps: list[tuple[str, Callable[[Path], dict[str, int]]]] = [
        ("district_batch.xlsx", build_district), ("mistakes_batch.xlsx", build_mistakes),
        ("wuxi_apprentices_2024.xlsx", build_wuxi)]
    for name, build in steps:
        counts = build(out)
        print(f"{out / name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
