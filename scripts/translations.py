"""Write translations/en.json from strings.json, resolving "[%key:...%]" references.

Home Assistant core does this at build time; a custom integration ships the result.
Run: .venv/bin/python scripts/translations.py  (tests check en.json is current).
"""

from __future__ import annotations

import json
from pathlib import Path
import re
import sys
from typing import Any

import homeassistant

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "milesight_x5"
REFERENCE = re.compile(r"\[%key:([a-z0-9_:]+)%\]")


def _lookup(tree: dict[str, Any], path: list[str]) -> str:
    node: Any = tree
    for part in path:
        node = node[part]
    if not isinstance(node, str):
        raise TypeError(f"reference {':'.join(path)} is not a string")
    return node


def resolve(strings: dict[str, Any]) -> dict[str, Any]:
    """Return ``strings`` with every reference replaced by its text."""
    common = json.loads(
        (Path(homeassistant.__file__).parent / "strings.json").read_text()
    )

    def _text(value: str) -> str:
        def _sub(match: re.Match[str]) -> str:
            path = match[1].split("::")
            if path[0] == "common":
                return _text(_lookup(common, path))
            return _text(_lookup(strings, path[2:]))

        return REFERENCE.sub(_sub, value)

    def _walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: _walk(value) for key, value in node.items()}
        return _text(node) if isinstance(node, str) else node

    resolved: dict[str, Any] = _walk(strings)
    return resolved


def render() -> str:
    """The en.json text that strings.json gives."""
    strings = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
    return json.dumps(resolve(strings), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    (INTEGRATION / "translations" / "en.json").write_text(render(), encoding="utf-8")
    sys.exit(0)
