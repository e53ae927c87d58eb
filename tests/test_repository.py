"""The repository around the integration: brand images, generated docs, workflows."""

from __future__ import annotations

import io
import json
from pathlib import Path
import re
import tomllib
from typing import Any

from PIL import Image
import pytest
import yaml

from custom_components.milesight_x5.api import COMMANDS

from .helpers import load_script

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "milesight_x5"
BRAND = INTEGRATION / "brand"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: these tests read files, they need no hass."""


# --- brand images -------------------------------------------------------------------
# Home Assistant 2026.3+ serves a custom integration's brand/ folder (these names
# only: homeassistant/components/brands/const.py ALLOWED_IMAGES); the sizes and rules
# are those of the home-assistant/brands README and its validate.sh.

ALLOWED_IMAGES = {
    f"{dark}{kind}{hdpi}.png"
    for dark in ("", "dark_")
    for kind in ("icon", "logo")
    for hdpi in ("", "@2x")
}
IMAGES = sorted(path.name for path in BRAND.iterdir())


def _open(name: str) -> Image.Image:
    image = Image.open(BRAND / name)
    image.load()
    return image


def test_brand_folder_has_only_served_images() -> None:
    """icon.png is there (HACS' brands check looks for it); nothing unknown beside it."""
    assert "icon.png" in IMAGES
    assert set(IMAGES) <= ALLOWED_IMAGES


@pytest.mark.parametrize("name", IMAGES)
def test_brand_image_is_a_clean_png(name: str) -> None:
    """PNG, 8-bit RGBA, no colour profile (sRGB), transparent background, trimmed."""
    image = _open(name)
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert "icc_profile" not in image.info
    alpha = image.getchannel("A")
    assert alpha.getextrema() == (0, 255)  # see-through background, opaque picture
    width, height = image.size
    corners = ((0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1))
    assert all(alpha.getpixel(corner) == 0 for corner in corners)
    # Trimmed: the picture reaches every edge, no empty margin.
    assert alpha.getbbox() == (0, 0, width, height)


@pytest.mark.parametrize("name", IMAGES)
def test_brand_image_size(name: str) -> None:
    """Icons 256 (512 @2x) square; logos landscape, shortest side 128-256 (256-512)."""
    width, height = _open(name).size
    hdpi = "@2x" in name
    if "icon" in name:
        assert (width, height) == ((512, 512) if hdpi else (256, 256))
    else:
        assert width > height
        assert (256 <= height <= 512) if hdpi else (128 <= height <= 256)


@pytest.mark.parametrize("name", [name for name in IMAGES if "@2x" in name])
def test_brand_hdpi_image_doubles_its_normal_version(name: str) -> None:
    """An @2x image comes with its normal version and is twice its size."""
    normal = name.replace("@2x", "")
    assert normal in IMAGES
    (width, height), (normal_width, normal_height) = (
        _open(name).size,
        _open(normal).size,
    )
    assert height == 2 * normal_height
    assert abs(width - 2 * normal_width) <= 1


def test_brand_variants_differ() -> None:
    """A logo is not the icon, a dark variant not the light one (the brands rules)."""
    contents = {name: (BRAND / name).read_bytes() for name in IMAGES}
    for name in IMAGES:
        if name.startswith("dark_"):
            light = name.removeprefix("dark_")
            assert light in IMAGES
            assert contents[name] != contents[light]
            assert _open(name).tobytes() != _open(light).tobytes()
        if "logo" in name and (icon := name.replace("logo", "icon")) in IMAGES:
            assert contents[name] != contents[icon]


def test_dark_logos_come_in_pairs() -> None:
    """HA falls back dark_logo -> dark_icon -> logo: a dark logo needs both sizes."""
    dark = {name for name in IMAGES if name.startswith("dark_logo")}
    assert dark in (set(), {"dark_logo.png", "dark_logo@2x.png"})


@pytest.mark.parametrize("name", IMAGES)
def test_brand_image_is_compressed(name: str) -> None:
    """Small, and no larger than Pillow's own optimised save of the same pixels."""
    size = (BRAND / name).stat().st_size
    assert size < 150_000
    resaved = io.BytesIO()
    _open(name).save(resaved, "PNG", optimize=True)
    assert size <= len(resaved.getvalue())


# --- docs/commands.md ---------------------------------------------------------------

GUIDE = ROOT.parent / "shared" / "device-docs" / "x5-mqtt-http-api-guide.md"


def test_commands_md_is_current() -> None:
    """docs/commands.md is the catalogue's table (run: python scripts/docs.py)."""
    expected = load_script("docs").render_commands()
    assert (ROOT / "docs" / "commands.md").read_text(encoding="utf-8") == expected


def test_commands_md_lists_every_command() -> None:
    """One row per command of the catalogue, each with a description."""
    docs = load_script("docs")
    assert set(docs.DESCRIPTIONS) == {command.name for command in COMMANDS}
    rows = [
        line for line in docs.render_commands().splitlines() if line.startswith("| `")
    ]
    assert len(rows) == len(COMMANDS) == 50
    assert sum("HTTP only" in row for row in rows) == 2


@pytest.mark.skipif(
    not GUIDE.is_file(), reason="the vendor guide is not beside the repo"
)
def test_descriptions_are_the_guide_headings() -> None:
    """Each description is the guide's heading above the command's Basic Information."""
    headings: dict[tuple[str, str], str] = {}
    heading = ""
    lines = GUIDE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if match := re.match(r"#+\s*(.+)", line):
            text = match[1].strip()
            if not re.match(
                r"(Basic Information|Request|Return|Headers|Body|Query)", text
            ):
                heading = text
        elif match := re.match(r"\*\*HTTP API Path:\*\*\s*(\S+)", line):
            method = re.sub(r"\*\*Method:\*\*\s*", "", lines[index + 2]).strip()
            headings[(method, match[1])] = heading
    descriptions = load_script("docs").DESCRIPTIONS
    for command in COMMANDS:
        guide = headings[(command.http_method.value, command.http_path)]
        assert descriptions[command.name].lower() == guide.lower(), command.name


# --- GitHub workflows ---------------------------------------------------------------

WORKFLOWS = ROOT / ".github" / "workflows"


def _workflow(name: str) -> dict[str, Any]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(workflow, dict)
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def _steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    steps = workflow["jobs"][job]["steps"]
    assert isinstance(steps, list)
    return steps


def _uses(workflow: dict[str, Any], job: str, action: str) -> dict[str, Any]:
    (step,) = [
        step
        for step in _steps(workflow, job)
        if step.get("uses", "").split("@")[0] == action
    ]
    return step


@pytest.mark.parametrize("name", sorted(path.name for path in WORKFLOWS.glob("*")))
def test_workflow_parses(name: str) -> None:
    """Every workflow is YAML with a name, triggers and jobs whose steps run something."""
    assert name.endswith(".yml")
    workflow = _workflow(name)
    assert workflow["name"]
    assert workflow["on"]
    assert workflow["jobs"]
    for job in workflow["jobs"].values():
        assert job["runs-on"] == "ubuntu-latest"
        assert all("uses" in step or "run" in step for step in job["steps"])


def test_validate_workflow() -> None:
    """hassfest and HACS validation; the brands check is on (brand/icon.png exists)."""
    workflow = _workflow("validate.yml")
    assert _uses(workflow, "hassfest", "home-assistant/actions/hassfest")["uses"] == (
        "home-assistant/actions/hassfest@master"
    )
    hacs = _uses(workflow, "hacs", "hacs/action")
    assert hacs["uses"] == "hacs/action@main"
    assert hacs["with"]["category"] == "integration"
    ignored = str(hacs["with"].get("ignore", "")).split()
    assert set(ignored) <= {"brands"}
    # Ignoring brands is right only while HACS cannot find local brand images.
    assert ("brands" in ignored) == (not (BRAND / "icon.png").is_file())


def _ci_run_newest_ha() -> str:
    match = re.search(r"^NEWEST_HA=(\S+)$", (ROOT / ".ci" / "run").read_text(), re.M)
    assert match is not None
    return match[1]


def test_tests_workflow() -> None:
    """The pinned suite via scripts/test, and the newest HA that .ci/run tests."""
    workflow = _workflow("tests.yml")
    pinned = _steps(workflow, "pinned")
    assert {"run": "scripts/test"}.items() <= pinned[-1].items()
    python = _uses(workflow, "pinned", "actions/setup-python")["with"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["requires-python"] == f">={python['python-version']}.0"
    assert any("mosquitto" in step.get("run", "") for step in pinned)

    (newest,) = workflow["jobs"]["newest"]["strategy"]["matrix"]["include"]
    assert newest["homeassistant"] == _ci_run_newest_ha()
    assert newest["python"] == "3.14"
    assert re.fullmatch(r"0\.13\.\d+", newest["phcc"])
    install = " ".join(step.get("run", "") for step in _steps(workflow, "newest"))
    assert "homeassistant==${{ matrix.homeassistant }}" in install
    assert "pytest-homeassistant-custom-component==${{ matrix.phcc }}" in install
    assert "--ignore=tests/demo" in _steps(workflow, "newest")[-1]["run"]


def test_readme_links_the_commands_table() -> None:
    """The README has the HACS badge under its title and points at docs/commands.md."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    title, _, badge = readme.splitlines()[:3]
    assert title.startswith("# ")
    assert "HACS-Custom-41BDF5" in badge
    assert "(https://hacs.xyz)" in badge
    assert "(docs/commands.md)" in readme


# --- CHANGELOG.md -------------------------------------------------------------------


def test_changelog_has_the_manifest_version() -> None:
    """Keep a Changelog: the manifest's version is the newest release (an
    Unreleased section may come first), older ones follow in order."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[([^\]]+)\]", changelog, re.M)
    released = [version for version in versions if version != "Unreleased"]
    assert released[0] == manifest["version"]
    assert released == sorted(
        released, key=lambda v: tuple(map(int, v.split("."))), reverse=True
    )
