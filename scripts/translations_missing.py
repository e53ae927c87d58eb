"""List, for each translation, what to translate after strings.json changed.

Compares every translations/*.json except en.json (which translations.py writes)
with strings.json and prints, per language:

  missing       keys strings.json has and the translation lacks: translate them
  stale         keys the translation has and strings.json no longer has: delete them
  changed       keys whose English text changed since the translation file was
                last committed (from git history): check their translation
  placeholders  keys whose {placeholders} differ from the English text's
  empty         keys with an empty text
  reference     keys with a "[%key:...%]" reference (write the text instead)

Run: .venv/bin/python scripts/translations_missing.py [LANGUAGE ...]
Exits 1 when a translation has missing, stale, misplaced-placeholder, empty or
referencing keys (tests/test_translations_complete.py fails then too); changed
keys are only reported.
"""

from __future__ import annotations

from collections.abc import Iterator
import importlib.util
import json
from pathlib import Path
import re
import subprocess
import sys
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "milesight_x5"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
BLOCKING = ("missing", "stale", "placeholders", "empty", "reference")


def flatten(node: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, text) for every leaf; a dict or list where text belongs is kept."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from flatten(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, node


def placeholders(text: Any) -> set[str]:
    """The {placeholders} of a text."""
    return set(PLACEHOLDER.findall(text)) if isinstance(text, str) else set()


def _english(strings: dict[str, Any]) -> dict[str, Any]:
    """strings.json with "[%key:...%]" references resolved, as en.json has it."""
    spec = importlib.util.spec_from_file_location(
        "translations", Path(__file__).resolve().parent / "translations.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    resolved: dict[str, Any] = module.resolve(strings)
    return resolved


def _committed_strings(integration: Path, translation: Path) -> dict[str, Any] | None:
    """strings.json as of the last commit that changed ``translation`` (if any)."""
    try:
        commit = subprocess.run(
            ["git", "log", "-1", "--format=%H", "--", translation.name],
            cwd=translation.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not commit:
            return None
        text = subprocess.run(
            ["git", "show", f"{commit}:./{(integration / 'strings.json').name}"],
            cwd=integration,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        strings: dict[str, Any] = json.loads(text)
    except (OSError, subprocess.CalledProcessError, json.JSONDecodeError):
        return None
    return strings


def compare(
    strings: dict[str, Any],
    english: dict[str, Any],
    translation: dict[str, Any],
    committed: dict[str, Any] | None = None,
) -> dict[str, list[str]]:
    """Problems of ``translation`` by kind (see the module docstring), keys sorted."""
    source = dict(flatten(strings))
    texts = dict(flatten(english))
    translated = dict(flatten(translation))
    before = dict(flatten(committed)) if committed is not None else {}
    found: dict[str, list[str]] = {
        "missing": sorted(set(source) - set(translated)),
        "stale": sorted(set(translated) - set(source)),
        "changed": sorted(
            key
            for key in set(source) & set(translated) & set(before)
            if before[key] != source[key]
        ),
        "placeholders": [],
        "empty": [],
        "reference": [],
    }
    for key in sorted(set(source) & set(translated)):
        text = translated[key]
        if not isinstance(text, str) or not text.strip():
            found["empty"].append(key)
            continue
        if "[%key:" in text:
            found["reference"].append(key)
        if placeholders(text) != placeholders(texts.get(key)):
            found["placeholders"].append(
                f"{key} ({', '.join(sorted(placeholders(texts.get(key)))) or '-'}"
                f" expected, {', '.join(sorted(placeholders(text))) or '-'} found)"
            )
    return found


def report(integration: Path = INTEGRATION, languages: list[str] | None = None) -> int:
    """Print the problems of each translation; 1 when any must be fixed."""
    strings = json.loads((integration / "strings.json").read_text(encoding="utf-8"))
    english = _english(strings)
    status = 0
    for path in sorted((integration / "translations").glob("*.json")):
        if path.stem == "en" or (languages and path.stem not in languages):
            continue
        translation = json.loads(path.read_text(encoding="utf-8"))
        found = compare(
            strings, english, translation, _committed_strings(integration, path)
        )
        if not any(found.values()):
            print(f"{path.stem}: complete")
            continue
        print(f"{path.stem}:")
        for kind, keys in found.items():
            for key in keys:
                print(f"  {kind:<12} {key}")
        if any(found[kind] for kind in BLOCKING):
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(report(languages=sys.argv[1:]))
