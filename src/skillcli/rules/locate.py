"""Where the policies and voucher programmes come from, and a fingerprint of them.

The first of these that applies is used:

1. ``--rules DIR`` (on the command line: ``skillcli --rules DIR ...`` or ``rules list|show|test --rules DIR``);
2. ``$SKILLCLI_RULES``;
3. the copy packed into the installed package (``skillcli/_rules``, from the repository's ``rules/``
   at build time), found with ``importlib.resources``;
4. in a source checkout or an editable install, the repository's own ``rules/``, so edits to it take
   effect without reinstalling (an editable install has no packed copy inside ``src/skillcli``).

A folder named by the user that does not exist is a usage error; an empty one is not found here but
by the commands that need a policy, which name the folder they looked in.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from skillcli.errors import UsageError

RULES_DIR_ENV = "SKILLCLI_RULES"
BUNDLED = "_rules"
OPTION = "--rules"
# Set by the global ``--rules`` option for the length of one command (reset on every invocation).
RULES_OPTION: list[Path] = []


@dataclass(frozen=True, slots=True)
class RulesSource:
    """A rules folder and how it was chosen (one of ``--rules``, ``$SKILLCLI_RULES``, bundled, source)."""

    path: Path
    origin: str

    def describe(self, lang: str = "zh") -> str:
        names = {
            "bundled": ("随程序安装的规则", "the rules installed with the program"),
            "source": ("源码目录的规则", "the source checkout's rules"),
        }
        zh, en = names.get(self.origin, (self.origin, self.origin))
        return f"{self.path}（{zh}）" if lang == "zh" else f"{self.path} ({en})"


def bundled_rules() -> Path | None:
    """The rules packed into the installed package, or None (a source checkout or an editable install)."""
    folder = files("skillcli").joinpath(BUNDLED)
    # pip installs wheels as plain files, so the packed folder is a real directory whenever it exists.
    return folder if isinstance(folder, Path) and folder.is_dir() else None


def source_rules() -> Path | None:
    """``rules/`` of the checkout the package is imported from (``src/skillcli`` beside ``pyproject.toml``)."""
    package = Path(__file__).resolve().parents[1]
    root = package.parents[1]
    if package.parent.name == "src" and (root / "pyproject.toml").is_file() and (root / "rules").is_dir():
        return root / "rules"
    return None


def _named(path: Path, origin: str) -> RulesSource:
    if not path.is_dir():
        raise UsageError(
            f"规则目录 {path}（{origin}）不存在或不是目录", f"rules folder {path} ({origin}) is not a folder"
        )
    return RulesSource(path, origin)


def rules_source(explicit: Path | None = None) -> RulesSource:
    """The rules folder in effect; ``explicit`` is a command's own ``--rules`` option."""
    if explicit is not None:
        return _named(explicit, OPTION)
    if RULES_OPTION:
        return _named(RULES_OPTION[0], OPTION)
    env = os.environ.get(RULES_DIR_ENV)
    if env:
        return _named(Path(env), f"${RULES_DIR_ENV}")
    bundled = bundled_rules()
    if bundled is not None:
        return RulesSource(bundled, "bundled")
    source = source_rules()
    if source is not None:
        return RulesSource(source, "source")
    # A broken install: name the place the packed copy should be, so "nothing found" says where it looked.
    return RulesSource(Path(str(files("skillcli").joinpath(BUNDLED))), "bundled")


def nothing_found(what_zh: str, what_en: str, source: RulesSource) -> UsageError:
    """The one-line error of a command that needs a policy or programme and finds none."""
    return UsageError(
        f"没有找到{what_zh}：查找位置 {source.describe('zh')}；可用 --rules DIR 或 ${RULES_DIR_ENV} 指定规则目录",
        f"no {what_en} found in {source.describe('en')}; name a rules folder with --rules DIR or ${RULES_DIR_ENV}",
    )


def rules_digest(folder: Path) -> tuple[str, int]:
    """SHA-256 of a rules folder and its number of files.

    Every file below ``folder`` whose name does not start with a dot contributes the line
    ``<sha256 of its bytes>  <path relative to folder, with />\\n``; the lines, sorted by that path,
    are hashed together. These are the lines ``sha256sum`` prints, so the same value comes from
    ``cd rules && find . -type f ! -name '.*' -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum``.
    """
    names = sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
    )
    # Python sorts by code point and LC_ALL=C sort by UTF-8 byte: the same order.
    lines = "".join(f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n" for name in names)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest(), len(names)
