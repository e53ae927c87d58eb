"""Is a tag ready to be released? Checks the version, prints the release notes.

    scripts/release-check v0.4.0                               # check, print notes
    scripts/release-check v0.4.0 --zip dist/milesight_x5.zip   # and build the zip

The tag is `v` and the version (`v0.4.0`). That version must be the one in
custom_components/milesight_x5/manifest.json and in pyproject.toml, and CHANGELOG.md
must have a dated section for it, `## [0.4.0] - 2026-12-03`, with some text. The text
of that section, the release notes, goes to stdout; each problem goes to stderr and
the exit status is 1. --zip writes the integration's folder as a zip (its files at
the zip's root, __pycache__ left out): the release's asset. --root checks another
copy of the repository (the tests use it).

Standard library only (Python 3.11+): .github/workflows/release.yml runs it on a
bare runner. docs/releasing.md tells how to cut a release.
"""

from __future__ import annotations

import argparse
from datetime import date
import json
from pathlib import Path
import re
import sys
import tomllib
import zipfile

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "milesight_x5"
MANIFEST = Path("custom_components") / DOMAIN / "manifest.json"
ZIP_NAME = f"{DOMAIN}.zip"

TAG = re.compile(r"v(?P<version>\d+\.\d+\.\d+)")
HEADING = re.compile(r"^## (?P<title>.*)$", re.MULTILINE)
SECTION = re.compile(r"\[(?P<version>[^\]]+)\](?P<rest>.*)")
DATED = re.compile(r" - (?P<date>\d{4}-\d{2}-\d{2})")
# Keep a Changelog's link definitions at the end of the file ("[0.4.0]: https://...").
LINK_DEFINITION = re.compile(r"^\[[^\]]+\]:\s+\S+\s*$")


class ReleaseError(Exception):
    """The tag cannot be released: the message says why."""


def tag_version(tag: str) -> str:
    """The version a release tag names: `v0.4.0` -> `0.4.0`."""
    if (match := TAG.fullmatch(tag)) is None:
        raise ReleaseError(
            f"the tag {tag!r} is not v<major>.<minor>.<patch> (for example v0.4.0)"
        )
    return match["version"]


def manifest_version(root: Path) -> str:
    """The version in the integration's manifest.json."""
    version = json.loads((root / MANIFEST).read_text(encoding="utf-8")).get("version")
    if not isinstance(version, str):
        raise ReleaseError(f"{MANIFEST.as_posix()} has no version")
    return version


def pyproject_version(root: Path) -> str:
    """The version in pyproject.toml's [project] table."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    version = project.get("project", {}).get("version")
    if not isinstance(version, str):
        raise ReleaseError("pyproject.toml has no [project] version")
    return version


def changelog_notes(root: Path, version: str) -> str:
    """The text of CHANGELOG.md's section for `version`, which must be dated."""
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    expected = f"## [{version}] - YYYY-MM-DD"
    headings = list(HEADING.finditer(text))
    for index, heading in enumerate(headings):
        section = SECTION.fullmatch(heading["title"].strip())
        if section is None or section["version"] != version:
            continue
        dated = DATED.fullmatch(section["rest"])
        if dated is None:
            raise ReleaseError(
                f"CHANGELOG.md: the heading {heading[0].strip()!r} has no date"
                f" (write {expected!r})"
            )
        try:
            date.fromisoformat(dated["date"])
        except ValueError:
            raise ReleaseError(
                f"CHANGELOG.md: {dated['date']!r} in {heading[0].strip()!r}"
                " is not a date"
            ) from None
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        lines = text[heading.end() : end].strip().splitlines()
        while lines and (LINK_DEFINITION.match(lines[-1]) or not lines[-1].strip()):
            lines.pop()
        if not (notes := "\n".join(lines).strip()):
            raise ReleaseError(f"CHANGELOG.md: the section of {version} is empty")
        return notes
    raise ReleaseError(
        f"CHANGELOG.md has no section for {version} (a heading {expected!r})"
    )


def check(root: Path, tag: str) -> str:
    """The release notes of `tag`; ReleaseError lists every problem found."""
    version = tag_version(tag)
    problems: list[str] = []
    notes = ""
    for name, read in (
        (MANIFEST.as_posix(), manifest_version),
        ("pyproject.toml", pyproject_version),
    ):
        try:
            found = read(root)
        except ReleaseError as err:
            problems.append(str(err))
            continue
        if found != version:
            problems.append(f"{name} has version {found}, the tag {tag} says {version}")
    try:
        notes = changelog_notes(root, version)
    except ReleaseError as err:
        problems.append(str(err))
    if problems:
        raise ReleaseError("\n".join(problems))
    return notes


def build_zip(root: Path, destination: Path) -> list[str]:
    """Zip the integration's folder (its files at the zip's root, the layout of
    HACS' zip_release) without __pycache__; return the names written."""
    source = root / MANIFEST.parent
    files = sorted(
        path
        for path in source.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.relative_to(source).parts
        and path.suffix not in {".pyc", ".pyo"}
    )
    destination.parent.mkdir(parents=True, exist_ok=True)
    names = [path.relative_to(source).as_posix() for path in files]
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, name in zip(files, names, strict=True):
            archive.write(path, name)
    return names


def main(argv: list[str] | None = None) -> int:
    """Check the tag; print the notes; build the zip when asked."""
    parser = argparse.ArgumentParser(
        prog="scripts/release-check",
        description="Check that a tag (v0.4.0) is the version of manifest.json, "
        "pyproject.toml and a dated CHANGELOG.md section; print that section.",
    )
    parser.add_argument("tag", help="the release tag, v<major>.<minor>.<patch>")
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the repository to check (default: this one)",
    )
    parser.add_argument(
        "--zip",
        type=Path,
        metavar="PATH",
        help=f"also write the integration as a zip there (the release's {ZIP_NAME})",
    )
    args = parser.parse_args(argv)
    try:
        notes = check(args.root, args.tag)
    except (ReleaseError, OSError, ValueError) as err:
        for line in str(err).splitlines():
            print(f"release-check: {line}", file=sys.stderr)
        print(f"release-check: {args.tag} cannot be released", file=sys.stderr)
        return 1
    if args.zip is not None:
        names = build_zip(args.root, args.zip)
        print(f"release-check: {args.zip} ({len(names)} files)", file=sys.stderr)
    print(notes)
    print(f"release-check: {args.tag} is ready", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
