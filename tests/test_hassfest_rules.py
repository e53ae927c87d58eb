"""The rules hassfest@master applies today that the hassfest we could fetch may not
know: each pinned here so that a change cannot bring the red workflow back.

Sources: Home Assistant's developer blog and hassfest's services.py and
translations.py (2025.11 and later).
"""

from __future__ import annotations

from collections.abc import Iterator
import json
import re
from typing import Any

import pytest
import yaml

from .helpers import INTEGRATION

# hassfest's translations.py: keys of selector options (and other translation keys).
RE_TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
RE_URL = re.compile(r"https?://", re.IGNORECASE)
RE_HTML = re.compile(r"<[a-z/][^>]*>", re.IGNORECASE)

SERVICES = yaml.safe_load((INTEGRATION / "services.yaml").read_text(encoding="utf-8"))
STRINGS_FILES = {
    name: json.loads((INTEGRATION / name).read_text(encoding="utf-8"))
    for name in ("strings.json", "translations/en.json")
}


def _texts(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _texts(value, f"{path}.{key}" if path else key)
    elif isinstance(node, str):
        yield path, node


def test_no_device_filter_on_a_target() -> None:
    """Since 2025.11: "Services do not support device filters on target, use a
    device selector instead"."""
    for name, service in SERVICES.items():
        assert "device" not in (service.get("target") or {}), f"{name}.target"


@pytest.mark.parametrize("name", sorted(STRINGS_FILES))
def test_select_translation_keys_exist(name: str) -> None:
    """A select selector's translation_key must be in the translations, with a
    label for each of its options."""
    selectors = STRINGS_FILES[name].get("selector", {})
    for service in SERVICES.values():
        for field in (service.get("fields") or {}).values():
            select = (field.get("selector") or {}).get("select") or {}
            if key := select.get("translation_key"):
                assert set(select["options"]) == set(selectors[key]["options"])


@pytest.mark.parametrize("name", sorted(STRINGS_FILES))
def test_option_keys_are_translation_keys(name: str) -> None:
    """Option keys are lowercase slugs: no dots, no doubled or edge - and _."""
    for selector, body in STRINGS_FILES[name].get("selector", {}).items():
        for key in body["options"]:
            assert RE_TRANSLATION_KEY.match(key), f"selector.{selector}.options.{key}"


@pytest.mark.parametrize("name", sorted(STRINGS_FILES))
def test_strings_follow_the_text_rules(name: str) -> None:
    """No URL, no HTML, no quoted placeholder, no spaces at either end."""
    for path, text in _texts(STRINGS_FILES[name]):
        assert not RE_URL.search(text), path
        assert not RE_HTML.search(text), path
        assert not re.search(r"'\{\w+\}'", text), path
        assert text == text.strip(), path


@pytest.mark.parametrize("name", sorted(STRINGS_FILES))
def test_data_descriptions_describe_fields(name: str) -> None:
    """Every data_description key is a field of the same step (or section)."""

    def walk(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(node, dict):
            if "data_description" in node:
                yield path, node
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")

    for path, step in walk(STRINGS_FILES[name], ""):
        assert set(step["data_description"]) <= set(step.get("data", {})), path


def test_the_rules_catch_what_they_pin() -> None:
    """The checks above refuse what hassfest refuses."""
    assert not RE_TRANSLATION_KEY.match("get.image.info")
    assert not RE_TRANSLATION_KEY.match("get__image")
    assert not RE_TRANSLATION_KEY.match("_get")
    assert RE_TRANSLATION_KEY.match("get_image_info")
    assert RE_URL.search("see https://example.org")
    assert RE_HTML.search("a <b>bold</b> word")
