"""The wheel carries the default theme, and an installed briefgen builds a site with it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, ScratchSite, parse_html


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(REPO)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    [built] = out.glob("briefgen-*.whl")
    return built


def test_wheel_ships_the_theme(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())

    assert "briefgen/templates/base.html" in names
    assert "briefgen/templates/static/style.css" in names
    theme = {
        "briefgen/templates/" + p.relative_to(REPO / "templates").as_posix()
        for p in (REPO / "templates").rglob("*") if p.is_file()
    }
    assert theme <= names


def test_installed_wheel_builds_a_site(wheel: Path, scratch_site: ScratchSite,
                                       tmp_path: Path) -> None:
    # Unpacked away from the repository, the package can only find the theme
    # inside itself, as it must when installed from the wheel.
    installed = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(installed)
    env = {**os.environ, "PYTHONPATH": str(installed)}
    out = tmp_path / "out"

    where = subprocess.run(
        [sys.executable, "-c", "import briefgen; print(briefgen.__file__)"],
        env=env, cwd=tmp_path, check=True, capture_output=True, text=True,
    ).stdout
    done = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", "--site", str(scratch_site.root),
         "--output", str(out)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )

    assert Path(where.strip()).is_relative_to(installed)
    assert done.returncode == 0, done.stderr
    assert (out / "static" / "style.css").read_bytes() == (
        REPO / "templates" / "static" / "style.css").read_bytes()
    page = parse_html((out / "index.html").read_text(encoding="utf-8"))
    assert page.by_id("briefing-list").find("a").text == "First briefing"
