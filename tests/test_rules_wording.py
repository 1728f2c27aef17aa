"""The Chinese a clerk reads from the rules files is Chinese: no English sentence in a zh note or reason.

An independent reader (reader6) found 「…不超过6个月。Part months count as the parameter part_month says…」
in A6's note and 「（个人补贴或非企业/项目制培训，A8 → person）」 in an advance hold. Identifiers (A8,
part_month, $self_evaluation_enterprises, policy.not-in-force) are allowed; three English words in a row are not.
"""

from __future__ import annotations

import re

import pytest

from skillcli.rules.load import load_policy, policy_paths

ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}\b")


def zh_texts(policy_id: str) -> list[tuple[str, str]]:
    """(where, text) for every Chinese note, reason and reading of the policy."""
    policy = load_policy(policy_paths()[policy_id])
    found = [(f"notes[{i}]", note) for i, note in enumerate(policy.notes)]
    found += [(f"eligibility.{r.id}.reason_zh", r.reason_zh) for r in policy.eligibility]
    for rule in policy.rules:
        found.append((f"rules.{rule.id}.note", rule.note))
        found += [(f"rules.{rule.id}.{r.id}.reason_zh", r.reason_zh) for r in rule.require]
    for reading in policy.readings:
        found += [(f"readings.{reading.id}.{key}", getattr(reading, key)) for key in ("question", "reading", "why")]
    return found


@pytest.mark.parametrize("policy_id", sorted(policy_paths()))
def test_rules__no_english_sentence_in_a_chinese_note_or_reason(policy_id: str) -> None:
    english = {where: m.group(0) for where, text in zh_texts(policy_id) if (m := ENGLISH_SENTENCE.search(text))}
    assert english == {}


def test_rules__the_wording_check_finds_an_english_sentence() -> None:
    # The check itself: the sentence reader6 found is caught, an identifier is not.
    assert ENGLISH_SENTENCE.search("不超过6个月。Part months count as the parameter part_month says")
    assert not ENGLISH_SENTENCE.search("按参数 part_month 计算（口径 R14，policy.not-in-force，$self_evaluation_enterprises）")
