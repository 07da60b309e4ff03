"""The progress line and --timings: what a user sees during a long build."""

from __future__ import annotations

import io

from conftest import ScratchSite

from briefgen.progress import ProgressLine


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_progress_only_after_a_second(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    clock = [100.0]
    monkeypatch.setattr("briefgen.progress.time.monotonic", lambda: clock[0])
    screen = Terminal()
    progress = ProgressLine(screen)
    progress(50, 200)
    assert screen.getvalue() == ""  # quick builds stay silent
    clock[0] += 2
    progress(100, 200)
    progress(200, 200)
    lines = screen.getvalue().split("\r")
    assert "100/200" in lines[-2] and lines[-1].endswith("200/200\n")


def test_ci_logs_stay_quiet_unless_verbose() -> None:
    quiet = io.StringIO()
    for done in range(0, 101, 10):
        ProgressLine(quiet)(done, 100)
    assert quiet.getvalue() == ""
    log = io.StringIO()
    verbose = ProgressLine(log, verbose=True)
    for done in range(1, 101):
        verbose(done, 100)
    assert log.getvalue().splitlines()[-1] == "parsed 100/100 briefings"
    assert len(log.getvalue().splitlines()) == 11  # one line a tenth (0%..100%), not one a file


def test_timings_name_every_stage(scratch_site: ScratchSite) -> None:
    result = scratch_site.build_ok("--timings", "--no-cache")
    stages = [line.split()[0] for line in result.output.splitlines() if line.endswith(" ms")]
    assert stages[:3] == ["load", "derive", "render"]
    assert stages[-1] == "write"


def test_parsing_in_one_process_reports_every_fifty_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sys

    from conftest import REPO

    from briefgen.loader import load_site

    sys.path.insert(0, str(REPO / "bench"))
    from newsroom import write_site

    write_site(tmp_path, 120)
    reported: list[tuple[int, int]] = []
    load_site(tmp_path, workers=1, progress=lambda done, total: reported.append((done, total)))
    assert reported == [(50, 120), (100, 120)]
