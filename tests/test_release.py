"""The release path: scripts/release-check, the release workflow, docs/releasing.md."""

from __future__ import annotations

import json
from pathlib import Path
import re
import shutil
import subprocess
import sys
from typing import Any
import zipfile

import pytest
import yaml

from .helpers import load_script, subprocess_env

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "milesight_x5"
RELEASE_CHECK = ROOT / "scripts" / "release-check"
VERSION = json.loads((INTEGRATION / "manifest.json").read_text())["version"]
TAG = f"v{VERSION}"

release_check = load_script("release_check")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the package-wide fixture: these tests read files, they need no hass."""


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """scripts/release-check as the workflow runs it (on this test's Python)."""
    return subprocess.run(
        [str(RELEASE_CHECK), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env={**subprocess_env(), "PYTHON": sys.executable},
        timeout=60,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the files the check reads, to break one at a time."""
    for name in (
        "pyproject.toml",
        "CHANGELOG.md",
        "custom_components/milesight_x5/manifest.json",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- scripts/release-check ----------------------------------------------------------


def test_current_version_is_releasable() -> None:
    """The tag of the manifest's version passes; stdout is its CHANGELOG section."""
    result = _run(TAG)
    assert result.returncode == 0, result.stderr
    notes = result.stdout.strip()
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    section = re.search(
        rf"^## \[{re.escape(VERSION)}\] - \d{{4}}-\d{{2}}-\d{{2}}\n(.*?)(?=^## |\Z)",
        changelog,
        re.M | re.S,
    )
    assert section is not None
    assert notes == section[1].strip()
    assert "## [" not in notes  # neither its own heading nor the next section's
    assert f"{TAG} is ready" in result.stderr


def test_notes_of_a_copy(repo: Path) -> None:
    """--root checks another copy; the notes are the section's text alone."""
    assert release_check.check(repo, TAG) == release_check.check(ROOT, TAG)
    _edit(
        repo / "CHANGELOG.md",
        f"## [{VERSION}] - ",
        "## [Unreleased]\n\n### Added\n\n- Not yet.\n\n" + f"## [{VERSION}] - ",
    )
    notes = release_check.check(repo, TAG)
    assert "Not yet" not in notes
    assert notes == release_check.check(ROOT, TAG)


@pytest.mark.parametrize("tag", [VERSION, "v0.4", "v0.4.0.1", "v0.4.0-rc1", "0.4.0v"])
def test_tag_must_be_v_and_a_version(tag: str) -> None:
    """The tag is `v` and major.minor.patch, nothing else."""
    result = _run(tag)
    assert result.returncode == 1
    assert "is not v<major>.<minor>.<patch>" in result.stderr
    assert result.stdout == ""


def test_wrong_tag_names_every_file() -> None:
    """A tag that is not the version: manifest, pyproject and CHANGELOG all say so."""
    result = _run("v99.0.0")
    assert result.returncode == 1
    assert result.stdout == ""
    assert (
        f"custom_components/milesight_x5/manifest.json has version {VERSION}, "
        "the tag v99.0.0 says 99.0.0"
    ) in result.stderr
    assert f"pyproject.toml has version {VERSION}" in result.stderr
    assert "CHANGELOG.md has no section for 99.0.0" in result.stderr
    assert "v99.0.0 cannot be released" in result.stderr


def test_pyproject_out_of_step(repo: Path) -> None:
    """The manifest bumped, pyproject.toml forgotten."""
    _edit(repo / "pyproject.toml", f'version = "{VERSION}"', 'version = "0.0.1"')
    result = _run(TAG, "--root", repo)
    assert result.returncode == 1
    assert f"pyproject.toml has version 0.0.1, the tag {TAG} says" in result.stderr
    assert "manifest.json" not in result.stderr


def test_changelog_without_the_section(repo: Path) -> None:
    """No `## [X.Y.Z] - date` heading for the version: refused."""
    _edit(repo / "CHANGELOG.md", f"## [{VERSION}] - ", "## [Unreleased] - ")
    result = _run(TAG, "--root", repo)
    assert result.returncode == 1
    assert f"CHANGELOG.md has no section for {VERSION}" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("heading", "message"),
    [
        ("## [{v}]", "has no date"),
        ("## [{v}] - soon", "has no date"),
        ("## [{v}] - 2026-13-40", "is not a date"),
        ("## [{v}] 2026-12-03", "has no date"),
    ],
)
def test_changelog_section_needs_a_date(repo: Path, heading: str, message: str) -> None:
    """The section's heading carries the release date, YYYY-MM-DD."""
    changelog = repo / "CHANGELOG.md"
    text = re.sub(
        rf"^## \[{re.escape(VERSION)}\].*$",
        heading.format(v=VERSION),
        changelog.read_text(encoding="utf-8"),
        count=1,
        flags=re.M,
    )
    changelog.write_text(text, encoding="utf-8")
    result = _run(TAG, "--root", repo)
    assert result.returncode == 1
    assert message in result.stderr


def test_changelog_section_must_have_text(repo: Path) -> None:
    """A dated heading with nothing under it is no release note."""
    (repo / "CHANGELOG.md").write_text(
        f"# Changelog\n\n## [{VERSION}] - 2026-12-03\n\n## [0.0.1] - 2026-01-01\n\n- x\n"
    )
    result = _run(TAG, "--root", repo)
    assert result.returncode == 1
    assert f"the section of {VERSION} is empty" in result.stderr


def test_last_section_leaves_out_link_definitions(repo: Path) -> None:
    """Keep a Changelog's `[X.Y.Z]: URL` lines at the end are not notes."""
    (repo / "CHANGELOG.md").write_text(
        f"# Changelog\n\n## [{VERSION}] - 2026-12-03\n\n- First.\n\n"
        f"[{VERSION}]: https://example.invalid/releases/tag/{TAG}\n"
    )
    assert release_check.check(repo, TAG) == "- First."


def test_missing_file_is_a_clear_failure(repo: Path) -> None:
    (repo / "pyproject.toml").unlink()
    result = _run(TAG, "--root", repo)
    assert result.returncode == 1
    assert "pyproject.toml" in result.stderr
    assert "Traceback" not in result.stderr


def test_zip_is_the_integration_without_pycache(tmp_path: Path) -> None:
    """--zip: the integration's files at the zip's root, no __pycache__, nothing else."""
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("pyproject.toml", "CHANGELOG.md"):
        shutil.copyfile(ROOT / name, copy / name)
    shutil.copytree(
        INTEGRATION,
        copy / "custom_components" / "milesight_x5",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    cache = copy / "custom_components" / "milesight_x5" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "const.cpython-313.pyc").write_bytes(b"\0")
    (copy / "custom_components" / "milesight_x5" / "stray.pyc").write_bytes(b"\0")

    destination = tmp_path / "dist" / "milesight_x5.zip"
    result = _run(TAG, "--root", copy, "--zip", destination)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(destination) as archive:
        names = set(archive.namelist())
        assert json.loads(archive.read("manifest.json"))["version"] == VERSION
    expected = {
        path.relative_to(INTEGRATION).as_posix()
        for path in INTEGRATION.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert names == expected
    assert {"__init__.py", "manifest.json", "brand/icon.png"} <= names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


def test_no_zip_when_the_check_fails(tmp_path: Path) -> None:
    destination = tmp_path / "milesight_x5.zip"
    assert _run("v99.0.0", "--zip", destination).returncode == 1
    assert not destination.exists()


# --- .github/workflows/release.yml --------------------------------------------------

WORKFLOWS = ROOT / ".github" / "workflows"


def _workflow(name: str) -> dict[str, Any]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(workflow, dict)
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1's `on`
    return workflow


def test_release_workflow_triggers() -> None:
    """A pushed tag v*, or by hand with an existing tag; may write releases."""
    workflow = _workflow("release.yml")
    assert workflow["on"]["push"] == {"tags": ["v*"]}
    tag_input = workflow["on"]["workflow_dispatch"]["inputs"]["tag"]
    assert tag_input["required"] is True
    assert workflow["permissions"] == {"contents": "write"}
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_release_workflow_runs_the_check_then_gh() -> None:
    """Checkout of the tag, scripts/release-check, then gh release with its output."""
    workflow = _workflow("release.yml")
    (release_job,) = workflow["jobs"].values()
    assert release_job["runs-on"] == "ubuntu-latest"
    assert release_job["env"]["TAG"] == "${{ inputs.tag || github.ref_name }}"
    steps = release_job["steps"]
    uses = [step["uses"] for step in steps if "uses" in step]
    # Actions pinned by major version, as in the other workflows.
    tests_uses = {
        step["uses"]
        for job in _workflow("tests.yml")["jobs"].values()
        for step in job["steps"]
        if "uses" in step
    }
    assert set(uses) <= tests_uses
    assert uses[0].startswith("actions/checkout@")
    assert steps[0]["with"]["ref"] == "refs/tags/${{ inputs.tag || github.ref_name }}"

    runs = [step["run"] for step in steps if "run" in step]
    check, release = runs
    assert check.startswith('scripts/release-check "$TAG" --zip dist/milesight_x5.zip')
    assert '>"$RUNNER_TEMP/notes.md"' in check
    assert 'gh release create "$TAG" dist/milesight_x5.zip --verify-tag' in release
    assert release.count('--notes-file "$RUNNER_TEMP/notes.md"') == 2
    assert "--draft" not in release
    assert "--prerelease" not in release
    (gh_step,) = [step for step in steps if step.get("run") == release]
    assert gh_step["env"]["GH_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"


def test_release_zip_name_fits_hacs_json() -> None:
    """HACS installs from the tag (no zip_release); if zip_release is ever set, its
    filename must be the zip the workflow attaches."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    if hacs.get("zip_release"):
        assert hacs["filename"] == release_check.ZIP_NAME
    assert release_check.ZIP_NAME in (WORKFLOWS / "release.yml").read_text()


def test_release_check_is_executable() -> None:
    assert RELEASE_CHECK.stat().st_mode & 0o111


# --- docs/releasing.md --------------------------------------------------------------

RELEASING = ROOT / "docs" / "releasing.md"


def _releasing() -> str:
    """docs/releasing.md with its line breaks and indents as single spaces."""
    return " ".join(RELEASING.read_text(encoding="utf-8").split())


def test_releasing_md_tells_the_steps() -> None:
    text = _releasing()
    for step in (
        "manifest.json",
        "pyproject.toml",
        "CHANGELOG.md",
        "scripts/test",
        ".ci/run",
        "scripts/release-check vX.Y.Z",
        "git push origin vX.Y.Z",
        ".github/workflows/release.yml",
        "gh release create",
    ):
        assert step in text, step


@pytest.mark.parametrize(
    "item",
    [
        "**public**",
        "**description**",
        "**topics**",
        "**Issues** are enabled",
        "**not archived**",
        "**license**",
        "`hacs.json` at the root with `name`",
        "`homeassistant`",
        "**One integration** under `custom_components/`",
        "`domain`, `documentation`, `issue_tracker`, `codeowners`, `name` and `version`",
        "custom_components/milesight_x5/brand/",
        "**HACS action**",
        "**hassfest**",
        "**GitHub release**",
        "hacs/default",
        "the file `integration`, in alphabetical",
    ],
)
def test_releasing_md_names_each_checklist_item(item: str) -> None:
    assert item in _releasing()


def test_releasing_md_matches_the_repository() -> None:
    """What the checklist says of this repository is true."""
    text = _releasing()
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert f"minimum Home Assistant version ({hacs['homeassistant']})" in text
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    for key in ("domain", "documentation", "issue_tracker", "codeowners", "name"):
        assert manifest[key], key
    repository = manifest["issue_tracker"].removeprefix("https://github.com/")
    assert f'"{repository.removesuffix("/issues")}"' in text
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert [path.name for path in (ROOT / "custom_components").iterdir()] == [
        "milesight_x5"
    ]
    # The brand images the doc names are the ones shipped.
    shipped = {
        path.name.removesuffix(".png").removesuffix("@2x")
        for path in (INTEGRATION / "brand").glob("*.png")
    }
    named = set(re.findall(r"`((?:dark_)?(?:icon|logo))`", text))
    assert named == shipped
    for link in re.findall(r"\]\((https://[^)]+)\)", text):
        assert link.startswith(
            (
                "https://hacs.xyz/docs/publish/",
                "https://developers.home-assistant.io/",
                "https://github.com/hacs/",
            )
        ), link


def test_readme_points_at_releasing_md() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    development = readme[readme.index("## Development") :]
    assert "(docs/releasing.md)" in development
