"""The licence is stated once and agrees everywhere: LICENSE, pyproject.toml, README."""

import tomllib
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def test_the_licence_is_mit_in_the_file_the_project_metadata_and_the_readme() -> None:
    project = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (BASE_DIR / "LICENSE").read_text().startswith("MIT License\n")
    readme = (BASE_DIR / "README.md").read_text()
    assert "## Licence\n\nMIT (see `LICENSE`), chosen so" in readme
