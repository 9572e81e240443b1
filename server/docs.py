"""Generates the README's tables (tools, configuration) from the code, so the docs cannot drift.

python -m server.docs            # rewrite the tables in README.md
python -m server.docs --check    # exit 1 if README.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic_core import PydanticUndefined

from server.cli import SERVE_FLAGS
from server.settings import ENV_PREFIX, ServerSettings
from server.toolsets import readme_table

README = Path(__file__).resolve().parent.parent / "README.md"


def settings_table() -> str:
    rows = ["| variable | flag | default | what it does |", "|---|---|---|---|"]
    for name, field in ServerSettings.model_fields.items():
        flag = f"`--{name.replace('_', '-')}`" if name in SERVE_FLAGS or name == "enable_write_tools" else ""
        default = field.default
        if default is PydanticUndefined or default is None:
            shown = "(unset)"
        elif isinstance(default, tuple):
            shown = f"`{','.join(default)}`" if default else "(empty)"
        else:
            shown = f"`{str(default).lower() if isinstance(default, bool) else default}`"
        rows.append(f"| `{ENV_PREFIX}{name.upper()}` | {flag} | {shown} | {field.description or ''} |")
    return "\n".join(rows)


TABLES = {"TOOLS": readme_table, "CONFIG": settings_table}


def render(text: str) -> str:
    for marker, build in TABLES.items():
        start, end = f"<!-- START {marker} -->", f"<!-- END {marker} -->"
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{build()}\n{end}{tail}"
    return text


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if current != wanted:
            print("README.md tables are out of date: run `python -m server.docs`", file=sys.stderr)
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
