"""``skillcli rules check``: lint policy files before anyone is paid with them.

Errors: a file that does not load (unknown keys, fields or values, a rule without a clause),
a level table that leaves out a level without saying so (write ``中级工: null`` to say it),
effective dates that end before they start. Warnings: policies whose effective dates ended
(stale) or were not reviewed for two years, and overlapping or gapped dates between versions
of a policy for one region.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path

from skillcli.errors import RulesError
from skillcli.model import Level
from skillcli.rules.load import SCALE, load_policy
from skillcli.rules.model import Policy

REVIEW_AFTER_DAYS = 730


@dataclass(frozen=True, slots=True)
class LintMessage:
    severity: str  # error | warning
    file: str
    message_zh: str
    message_en: str


def lint_policy(policy: Policy, today: dt.date) -> list[LintMessage]:
    found: list[LintMessage] = []
    name = Path(policy.path).name

    def add(severity: str, zh: str, en: str) -> None:
        found.append(LintMessage(severity, name, zh, en))

    if policy.effective_to is not None and policy.effective_to < policy.effective_from:
        add("error", "有效期结束早于开始", "effective.to is before effective.from")
    if Path(policy.path).stem != policy.id:
        add("error", f"文件名应为 {policy.id}.yaml", f"the file should be named {policy.id}.yaml")
    for rule in policy.rules:
        table = rule.amount.rate.by_level
        if table is not None:
            missing = [lv for lv in SCALE if lv not in table]
            if missing:
                labels = "、".join(Level(lv).label_zh for lv in missing)
                add(
                    "error",
                    f"规则 {rule.id} 的等级表缺少 {labels}（没有标准请写 null 并注明）",
                    f"rule {rule.id}: level table leaves out {labels}; write null to say there is no rate",
                )
        if rule.amount.form in ("per_day",) and rule.amount.rate.by_level is not None:
            add("warning", f"规则 {rule.id} 按天计发却按等级定额", f"rule {rule.id}: per-day amount with a level table")
    if policy.effective_to is not None and policy.effective_to < today:
        add(
            "warning",
            f"政策已于 {policy.effective_to} 到期（过期政策），之后结业的培训不予计算",
            f"stale: the policy ended on {policy.effective_to}; later trainings are not covered",
        )
    if policy.reviewed is None or (today - policy.reviewed).days > REVIEW_AFTER_DAYS:
        add("warning", "超过两年未复核（reviewed）", "not reviewed for more than two years")
    return found


def lint_region_dates(policies: list[Policy]) -> list[LintMessage]:
    """Versions of a policy for one region must follow each other without overlap or gap."""
    found: list[LintMessage] = []
    by_region: dict[str, list[Policy]] = {}
    for policy in policies:
        by_region.setdefault(policy.region, []).append(policy)
    for region, group in by_region.items():
        ordered = sorted(group, key=lambda p: p.effective_from)
        for before, after in itertools.pairwise(ordered):
            end = before.effective_to
            if end is None or after.effective_from <= end:
                found.append(
                    LintMessage(
                        "warning",
                        Path(after.path).name,
                        f"{region}：与 {before.id} 的有效期重叠",
                        f"{region}: overlaps {before.id}",
                    )
                )
            elif after.effective_from > end + dt.timedelta(days=1):
                found.append(
                    LintMessage(
                        "warning",
                        Path(after.path).name,
                        f"{region}：与 {before.id} 之间有空档（{end} 之后）",
                        f"{region}: gap after {before.id}",
                    )
                )
    return found


def lint_paths(paths: list[Path], today: dt.date) -> list[LintMessage]:
    messages: list[LintMessage] = []
    loaded: list[Policy] = []
    for path in paths:
        try:
            policy = load_policy(path)
        except RulesError as exc:
            messages.append(LintMessage("error", path.name, exc.message_zh, exc.message_en))
            continue
        loaded.append(policy)
        messages += lint_policy(policy, today)
    return messages + lint_region_dates(loaded)
