"""`briefgen init` and `briefgen new`: what they write builds at once; nothing is overwritten."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from conftest import ScratchSite, assert_clean_failure, invoke, parse_html

from briefgen.scaffold import slugify


def test_a_new_sites_git_ignores_what_builds_leave(tmp_path: Path) -> None:
    folder = tmp_path / "newsite"
    assert invoke("init", str(folder)).exit_code == 0
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    left = ["site/index.html", ".briefgen-cache/pages.pickle",
            ".site.briefgen-staging-4242/index.html"]
    for rel in left:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text("x")
    status = subprocess.run(["git", "-C", str(folder), "status", "--porcelain",
                             "--untracked-files=all"], capture_output=True, text=True,
                            check=True).stdout
    assert not any(rel in status for rel in left), status
    assert "briefgen.yaml" in status


def test_init_creates_a_site_that_builds(tmp_path: Path) -> None:
    folder = tmp_path / "newsite"
    result = invoke("init", str(folder))
    assert result.exit_code == 0, result.output
    for rel in ("briefgen.yaml", "content/actors.yaml", ".gitignore",
                "content/briefings/2025-01-10-an-example-briefing.md",
                ".github/workflows/pages.yml"):
        assert (folder / rel).is_file(), rel
    assert "site/" in (folder / ".gitignore").read_text().splitlines()
    built = invoke("build", "--site", str(folder))
    assert built.exit_code == 0, built.output
    page = parse_html((folder / "site/briefings/2025-01-10-an-example-briefing/index.html")
                      .read_text())
    assert page.find("h1").text == "An example briefing"
    assert len(page.by_id("chronology").find_all("li", class_="event")) == 2


def test_init_writes_the_pages_workflow(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path / "s")).exit_code == 0
    workflow = yaml.safe_load((tmp_path / "s/.github/workflows/pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    commands = [step.get("run", "") for step in steps]
    assert any(c.startswith("briefgen build --base-url") for c in commands)
    assert "deploy" in workflow["jobs"]


def test_init_refuses_a_non_empty_folder_unless_forced(tmp_path: Path) -> None:
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = invoke("init", str(folder))
    assert_clean_failure(result)
    assert "not empty" in result.stderr and "--force" in result.stderr
    assert not (folder / "briefgen.yaml").exists()
    assert invoke("init", str(folder), "--force").exit_code == 0
    assert (folder / "briefgen.yaml").is_file()
    assert (folder / "notes.txt").read_text() == "mine"


def test_new_writes_a_briefing_that_builds(scratch_site: ScratchSite) -> None:
    result = invoke("new", "Strikes on Kharkiv: day 3", "--date", "2025-05-02",
                    "--site", str(scratch_site.root))
    assert result.exit_code == 0, result.output
    rel = "content/briefings/2025-05-02-strikes-on-kharkiv-day-3.md"
    assert rel in result.output
    front = yaml.safe_load((scratch_site.root / rel).read_text().split("---")[1])
    assert front["title"] == "Strikes on Kharkiv: day 3"
    scratch_site.build_ok()
    page = scratch_site.page("briefings/2025-05-02-strikes-on-kharkiv-day-3/index.html")
    assert page.find("h1").text == "Strikes on Kharkiv: day 3"


def test_new_refuses_to_overwrite(scratch_site: ScratchSite) -> None:
    args = ("new", "Same title", "--date", "2025-05-02", "--site", str(scratch_site.root))
    assert invoke(*args).exit_code == 0
    path = scratch_site.root / "content/briefings/2025-05-02-same-title.md"
    path.write_text(path.read_text() + "\nMy work.\n")
    result = invoke(*args)
    assert_clean_failure(result)
    assert "already exists" in result.stderr
    assert path.read_text().endswith("My work.\n")


def test_new_defaults_to_today_in_the_sites_timezone(scratch_site: ScratchSite) -> None:
    before = dt.datetime.now(ZoneInfo("Europe/Kyiv")).date()  # the scratch site's zone
    result = invoke("new", "Today", "--site", str(scratch_site.root))
    after = dt.datetime.now(ZoneInfo("Europe/Kyiv")).date()
    assert result.exit_code == 0, result.output
    written = [p.name for p in (scratch_site.root / "content/briefings").glob("*-today.md")]
    assert written in ([f"{before}-today.md"], [f"{after}-today.md"])


def test_new_outside_a_site_is_a_clear_error(tmp_path: Path) -> None:
    result = invoke("new", "Title", "--site", str(tmp_path))
    assert_clean_failure(result)
    assert "briefgen.yaml" in result.stderr
    assert not (tmp_path / "content").exists()


def test_slugs() -> None:
    assert slugify("Strikes on Kharkiv: day 3") == "strikes-on-kharkiv-day-3"
    assert slugify("Élections à Kyïv") == "elections-a-kyiv"
    assert slugify("Удари по Харкову") == "briefing"


def test_every_new_command_has_help() -> None:
    for command in ("serve", "new", "init"):
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert "Usage:" in result.output
