"""Every translation (translations/*.json but en.json) is complete and current.

en.json is generated from strings.json (test_translations.py). Each other file
must have exactly the keys of strings.json, each a non-empty text with the
placeholders of the English text and no "[%key:...%]" reference. When this
fails, scripts/translations_missing.py lists what to translate.
"""

from __future__ import annotations

import json
from pathlib import Path
import shutil
from typing import Any

from homeassistant.generated.languages import LANGUAGES
import pytest

from .helpers import load_script

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "milesight_x5"
TRANSLATIONS = sorted(
    path for path in (INTEGRATION / "translations").glob("*.json") if path.stem != "en"
)
# The same reading of a translation file as the script that lists what to translate.
MISSING = load_script("translations_missing")
STRINGS = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
SOURCE = dict(MISSING.flatten(STRINGS))
ENGLISH = dict(MISSING.flatten(load_script("translations").resolve(STRINGS)))


@pytest.fixture(params=TRANSLATIONS, ids=lambda path: path.stem)
def translation(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    """(language, dotted key → text) of one translation file."""
    path: Path = request.param
    return path.stem, dict(
        MISSING.flatten(json.loads(path.read_text(encoding="utf-8")))
    )


def test_translations_are_found() -> None:
    """The glob sees the shipped translations, each named as HA names a language."""
    languages = {path.stem for path in TRANSLATIONS}
    assert {"de", "zh-Hans"} <= languages
    assert languages <= LANGUAGES, languages - LANGUAGES
    assert all(isinstance(text, str) for text in ENGLISH.values())


def test_no_key_missing(translation: tuple[str, dict[str, Any]]) -> None:
    """Every key of strings.json is translated (a text where strings.json has one)."""
    language, texts = translation
    missing = sorted(set(SOURCE) - set(texts))
    assert not missing, f"{language} lacks {missing}"


def test_no_key_stale(translation: tuple[str, dict[str, Any]]) -> None:
    """A translation has no key strings.json lacks (nor an object for a text)."""
    language, texts = translation
    stale = sorted(set(texts) - set(SOURCE))
    assert not stale, f"{language} has keys strings.json lacks: {stale}"


def test_texts_are_written(translation: tuple[str, dict[str, Any]]) -> None:
    """Each text is a non-empty string, not a "[%key:...%]" reference."""
    language, texts = translation
    bad = sorted(
        key
        for key, text in texts.items()
        if not isinstance(text, str) or not text.strip() or "[%key:" in text
    )
    assert not bad, f"{language} has empty or referencing texts: {bad}"


def test_placeholders_match(translation: tuple[str, dict[str, Any]]) -> None:
    """Each text has exactly the {placeholders} of the English one."""
    language, texts = translation
    differ = {
        key: (
            sorted(MISSING.placeholders(ENGLISH[key])),
            sorted(MISSING.placeholders(text)),
        )
        for key, text in texts.items()
        if key in ENGLISH
        and MISSING.placeholders(text) != MISSING.placeholders(ENGLISH[key])
    }
    assert not differ, f"{language}: placeholders (English, translated) {differ}"


def test_missing_script_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """scripts/translations_missing.py lists what a translation lacks or has too much."""
    script = MISSING
    (tmp_path / "translations").mkdir()
    shutil.copy(INTEGRATION / "strings.json", tmp_path / "strings.json")
    # A translation that is English is complete: nothing to report.
    script_english = script._english(STRINGS)
    (tmp_path / "translations" / "en.json").write_text("{}")
    (tmp_path / "translations" / "xx.json").write_text(
        json.dumps(script_english), encoding="utf-8"
    )
    assert script.report(tmp_path) == 0
    assert capsys.readouterr().out == "xx: complete\n"

    broken = json.loads(json.dumps(script_english))
    del broken["config"]["step"]["user"]["title"]
    broken["config"]["old"] = "Alt"
    broken["config"]["flow_title"] = "{name}"
    broken["config"]["abort"]["already_configured"] = " "
    broken["config"]["step"]["reauth_confirm"]["title"] = "[%key:common::x%]"
    (tmp_path / "translations" / "xx.json").write_text(
        json.dumps(broken), encoding="utf-8"
    )
    assert script.report(tmp_path) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "xx:"
    assert "  missing      config.step.user.title" in out
    assert "  stale        config.old" in out
    assert "  placeholders config.flow_title (mac, name expected, name found)" in out
    assert "  empty        config.abort.already_configured" in out
    assert "  reference    config.step.reauth_confirm.title" in out
    assert script.report(tmp_path, ["de"]) == 0
