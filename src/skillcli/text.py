"""Unicode clean-up shared by headers and cells: full-width to half-width and every kind of space.

Real rosters are typed on Chinese IMEs and pasted from Word and web pages, so an ID can arrive as
"１１０１０１…", a name with a trailing U+3000, a header with a line break inside. These helpers are
pure functions on ``str`` plus their vectorised Polars equivalents, kept side by side so that the
two stay the same.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

# U+FF01..U+FF5E are the full-width forms of ASCII 0x21..0x7E; U+3000 is the ideographic space.
_FULLWIDTH = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH["\u3000"] = " "
# Punctuation a Chinese keyboard produces that has a plain twin in headers and dates.
_CJK_PUNCT = {"（": "(", "）": ")", "：": ":", "，": ",", "－": "-", "—": "-", "–": "-", "～": "~"}
# Zero-width and byte-order marks vanish; other Unicode spaces become a plain space.
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
SPACES = (
    "\u00a0",
    "\u2002",
    "\u2003",
    "\u2004",
    "\u2005",
    "\u2006",
    "\u2007",
    "\u2008",
    "\u2009",
    "\u200a",
    "\u202f",
    "\u205f",
    "\t",
    "\r",
    "\n",
    "\x0b",
    "\x0c",
)

_PATTERNS: list[str] = [*_FULLWIDTH, *_CJK_PUNCT, *INVISIBLE, *SPACES]
_REPLACEMENTS: list[str] = [
    *_FULLWIDTH.values(),
    *_CJK_PUNCT.values(),
    *([""] * len(INVISIBLE)),
    *([" "] * len(SPACES)),
]
_TRANSLATE = str.maketrans(dict(zip(_PATTERNS, _REPLACEMENTS, strict=True)))
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def to_halfwidth(text: str) -> str:
    """Full-width letters, digits and punctuation to ASCII; odd spaces to a plain space."""
    return text.translate(_TRANSLATE)


def clean_cell(text: str) -> str:
    """A cell as the checks see it: half-width, control characters dropped, ends trimmed."""
    return _CONTROL_RE.sub("", to_halfwidth(text)).strip()


# The header search maps each of a sheet's first rows several times (one row, two rows, each kind),
# so the same cell text is normalised many times over: a 100-row check spent a tenth of its work here.
@lru_cache(maxsize=4096)
def normalise_header(text: str) -> str:
    """A header cell reduced to its comparable form.

    Half-width, no spaces or line breaks, a leading or trailing "*" and a "(必填)" marker dropped,
    so that "劳动力姓名*", "身份证号码（必填）" and "身 份 证 号" match their aliases.
    """
    out = clean_cell(text).replace(" ", "")
    out = out.replace("(必填)", "").replace("必填", "")
    return out.strip("*")


def _class_escape(char: str) -> str:
    return f"\\x{{{ord(char):x}}}"


# Any character that ``clean_cell`` would change (besides trimming plain spaces).
NEEDS_CLEANING_RE = "[" + "".join(_class_escape(p) for p in _PATTERNS) + "\\x00-\\x08\\x0e-\\x1f\\x7f]"


def clean_cells_expr(expr: pl.Expr, *, full: bool = True) -> pl.Expr:
    """The vectorised ``clean_cell``: one Aho-Corasick pass, a control-character strip and a trim.

    ``full=False`` only trims, for a column known to hold no character that the full pass changes
    (see ``NEEDS_CLEANING_RE``): most columns of most files. Blank strings become null so that
    "missing" has one representation.
    """
    import polars as pl

    cleaned = expr
    if full:
        cleaned = cleaned.str.replace_many(_PATTERNS, _REPLACEMENTS).str.replace_all(r"[\x00-\x08\x0e-\x1f\x7f]", "")
    cleaned = cleaned.str.strip_chars(" ")
    return pl.when(cleaned.str.len_bytes() > 0).then(cleaned).otherwise(None)


# Personal data in free text: 18/15-digit IDs, bank and card numbers, mobile phones.
_LONG_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{5,13})(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE_RE = re.compile(r"(?<!\d)(1\d{2})(\d{4})(\d{4})(?!\d)")
# The same numbers as clerks also type them: in groups split by one space or hyphen
# ("320506 19900307 0118", "6222 0212 3456 7890 123") or with a letter O for a zero. Groups have at
# least three characters, so a row of small counts ("3 2 1 0") is never taken for a number.
_GROUPED_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])\d[0-9Oo]{2,}(?:[ \-][0-9Oo]{2,}[0-9OoXx]|[Xx])*(?![0-9A-Za-z])")
# Characters that drive a terminal or reorder what it shows: C0 (ESC, CR, BEL …), DEL, C1 and the
# Unicode bidirectional controls (the "Trojan Source" overrides and isolates).
_UNSHOWABLE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# A mistyped phone or a short ID fragment (9 to 14 digits) is still personal data: keep 3 and 4.
_SHORT_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])(\d{3})(\d{2,7})(\d{4})(?![0-9A-Za-z])")


def mask_id(value: str) -> str:
    """An ID or account shown as its first 6 and last 4 characters: 110101********231X."""
    if len(value) <= 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """A mobile number shown as 138****8000."""
    return value[:3] + "****" + value[-4:] if len(value) == 11 else value


def redact(text: str) -> str:
    """Mask every ID-, account- and phone-like number inside a free text, however it is grouped."""
    text = _LONG_NUMBER_RE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    text = _GROUPED_NUMBER_RE.sub(_mask_grouped, text)
    text = _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    return _SHORT_NUMBER_RE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


def _mask_grouped(match: re.Match[str]) -> str:
    """A grouped or O-typed number masked like its plain form; separators stay where they were."""
    chars = list(match.group(0))
    places = [i for i, char in enumerate(chars) if char not in " -"]
    if 15 <= len(places) <= 23:
        hidden = places[6:-4]
    elif len(places) == 11 and chars[places[0]] == "1":
        hidden = places[3:7]
    else:
        return match.group(0)
    for i in hidden:
        chars[i] = "*"
    return "".join(chars)


def visible(text: str) -> str:
    """Text safe to show on a terminal or in a log: every control character as a visible escape.

    File names, sheet names and cell values come from other people's files; an ESC in any of them
    could clear the screen, retitle the window or recolour what follows, and a BIDI override could
    make a name read backwards. Each becomes ``\\x1b`` / ``\\u202e`` instead, so it is seen, not obeyed.
    """
    return _UNSHOWABLE_RE.sub(_escape_one, text)


def _escape_one(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def json_visible(document: str) -> str:
    """A JSON document (from ``json.dumps``, which escapes C0 itself) with DEL, C1 and the BIDI
    controls as ``\\uXXXX`` escapes too: the same values once parsed, but nothing a terminal
    would obey when the JSON is printed on one."""
    return _UNSHOWABLE_RE.sub(lambda m: m.group(0) if m.group(0) < " " else f"\\u{ord(m.group(0)):04x}", document)


def shown(text: object, *, show_ids: bool = False) -> str:
    """The one way any text reaches the screen or a log: masked (unless ``show_ids``) and visible."""
    value = "" if text is None else str(text)
    return visible(value if show_ids else redact(value))


def document_text(document: dict[str, str], lang: str | None = "zh") -> str:
    """A rules file's source document as a line of text: S2c《实施方案……》（seeds/002_….txt）."""
    ref, title, file = document.get("ref", ""), document.get("title", ""), document.get("file", "")
    rest = "；".join(f"{k}: {v}" for k, v in document.items() if k not in ("ref", "title", "file"))
    if lang == "en":
        parts = [ref, f"《{title}》" if title else "", f"(file {file})" if file else "", f"({rest})" if rest else ""]
        return " ".join(p for p in parts if p)
    return f"{ref}{f'《{title}》' if title else ''}{f'（{file}）' if file else ''}{f'（{rest}）' if rest else ''}"
