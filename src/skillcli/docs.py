"""``python -m skillcli.docs`` prints docs/findings.md from the catalogue (``make docs``)."""

from skillcli.findings import catalogue_markdown

if __name__ == "__main__":
    print(catalogue_markdown(), end="")
