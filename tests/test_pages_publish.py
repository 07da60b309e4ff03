"""Publishing on GitHub Pages: base paths, the files Pages needs, the workflow.

A project site lives under ``https://user.github.io/repo/``: every link and
asset must carry ``/repo/``. The crawl tests build a site for that URL,
serve the output under ``/repo/`` (and nothing at ``/``) from a stdlib HTTP
server on 127.0.0.1, and follow every internal ``href``/``src`` from the
home page: none may answer 404.
"""

from __future__ import annotations

import http.client
import re
import shlex
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import yaml
from conftest import CONFIG, REPO, ScratchSite, briefing, invoke

from briefgen.workflow import pages_workflow

PROJECT_URL = "https://user.github.io/repo/"
PREFIX = "/repo/"
WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
# This repository's own workflow: installed and built by the README's make.
REPO_INSTALL = "make .venv/.installed"
REPO_BUILD = "make build"
PAGES_URL = "${{ steps.pages.outputs.base_url }}"
LINK_ATTRS = {"href", "src"}


# --- serving and crawling ----------------------------------------------------


class PagesHandler(SimpleHTTPRequestHandler):
    """Serves a folder like GitHub Pages serves a project site: only under its prefix."""

    def __init__(self, *args: Any, prefix: str, **kwargs: Any) -> None:
        self.prefix = prefix
        super().__init__(*args, **kwargs)

    def send_head(self) -> Any:
        if not urlsplit(self.path).path.startswith(self.prefix):
            self.send_error(404)
            return None
        return super().send_head()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(root: Path, prefix: str) -> Iterator[str]:
    """``http://127.0.0.1:PORT`` serving ``root`` (whose ``repo/`` is the site at ``/repo/``)."""
    handler = partial(PagesHandler, prefix=prefix, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def fetch(origin: str, path: str) -> tuple[int, str, bytes, str]:
    """``(status, content type, body, final path)``, following Pages' slash redirects."""
    host = urlsplit(origin).netloc
    for _ in range(5):
        conn = http.client.HTTPConnection(host, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            status, location = response.status, response.getheader("Location")
            kind = response.getheader("Content-Type") or ""
        finally:
            conn.close()
        if status in (301, 302) and location:
            path = urlsplit(urljoin(origin + path, location)).path
            continue
        return status, kind, body, path
    raise AssertionError(f"redirect loop at {path}")


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links.extend(v for k, v in attrs if k in LINK_ATTRS and v)


def crawl(origin: str, public_url: str) -> tuple[dict[str, int], list[str]]:
    """Every internal URL reachable from the home page: ``({path: status}, [failures])``.

    Absolute links to ``public_url`` (feeds, canonical URLs) count as internal.
    """
    public = urlsplit(public_url)
    prefix = public.path
    seen: dict[str, int] = {}
    broken: list[str] = []
    queue = [(prefix, "(home page)")]
    while queue:
        path, referrer = queue.pop()
        if path in seen:
            continue
        status, kind, body, final = fetch(origin, path)
        seen[path] = status
        if status != 200:
            broken.append(f"{referrer} -> {path}: {status}")
            continue
        if not kind.startswith("text/html"):
            continue
        collector = LinkCollector()
        collector.feed(body.decode("utf-8"))
        for link in collector.links:
            url, _ = urldefrag(urljoin(origin + final, link))
            parts = urlsplit(url)
            internal = parts.netloc == urlsplit(origin).netloc or (
                parts.netloc == public.netloc and parts.path.startswith(prefix))
            if internal and parts.path:
                queue.append((parts.path, final))
    return seen, broken


def html_pages(out: Path, prefix: str) -> set[str]:
    """URL paths of the output's pages as Pages serves them."""
    return {prefix + p.relative_to(out).as_posix().removesuffix("index.html")
            for p in out.rglob("*.html") if p.name != "404.html"}


def assert_crawl_clean(root: Path, public_url: str) -> dict[str, int]:
    """Serve ``root`` under the path of ``public_url``, crawl it, fail on any broken link."""
    with serve(root, urlsplit(public_url).path) as origin:
        seen, broken = crawl(origin, public_url)
        outside, _, _, _ = fetch(origin, "/index.html")
    assert outside == 404  # the server really serves nothing outside the base path
    assert not broken, "\n".join(broken)
    return seen


def test_a_project_site_has_no_broken_internal_links(scratch_site: ScratchSite,
                                                     tmp_path: Path) -> None:
    scratch_site.write("content/briefings/2025-04-08-second.md", briefing(
        title="Second", date="2025-04-08",
        body="See [the first](../2025-04-06-first/) and [sources](#sources).\n"))
    out = tmp_path / "serve" / "repo"
    scratch_site.build_ok("--base-url", PROJECT_URL, "-o", str(out))
    seen = assert_crawl_clean(tmp_path / "serve", PROJECT_URL)
    assert {PREFIX + "static/style.css", PREFIX + "briefings/2025-04-06-first/",
            PREFIX + "briefings/2025-04-08-second/"} <= set(seen)
    # Every page is reachable from the home page; none is orphaned.
    assert html_pages(out, PREFIX) <= set(seen)


def workflow_build_command(base_url: str) -> list[str]:
    """The ``briefgen build`` command line the committed workflow runs for ``base_url``."""
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["build"]["steps"]
    (run,) = [s["run"] for s in steps if s.get("name") == "Build"]
    command = run.replace(PAGES_URL, base_url.rstrip("/"))
    # What make would run for it, without running anything.
    dry = subprocess.run(["make", "-n", *shlex.split(command)[1:]], cwd=REPO,
                         capture_output=True, text=True, check=True)
    (line,) = [ln for ln in dry.stdout.splitlines() if "briefgen build" in ln]
    return shlex.split(line)


def test_this_repository_built_by_its_workflow_has_no_broken_links(tmp_path: Path) -> None:
    # A project URL other than briefgen.yaml's, as a fork publishing the site would have.
    public_url = "https://someone.github.io/briefings-fork/"
    command = workflow_build_command(public_url)
    assert command[0].endswith("briefgen") and command[1] == "build"
    assert command[2:] == ["--base-url", public_url]
    out = tmp_path / "serve" / "briefings-fork"
    result = invoke(*command[1:], "--site", str(REPO), "--output", str(out))
    assert result.exit_code == 0, result.output
    seen = assert_crawl_clean(tmp_path / "serve", public_url)
    assert html_pages(out, "/briefings-fork/") <= set(seen)
    assert "/briefings-fork/briefings/2025-04-06-ceasefire-talks-kyiv-strike/" in seen


def test_pages_files(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()
    assert (scratch_site.out / ".nojekyll").read_bytes() == b""
    assert not (scratch_site.out / "CNAME").exists()
    scratch_site.write("briefgen.yaml", CONFIG + "cname: briefs.example.org\n")
    scratch_site.build_ok()
    assert (scratch_site.out / "CNAME").read_text() == "briefs.example.org\n"
    assert (scratch_site.out / ".nojekyll").exists()


# --- the workflow --------------------------------------------------------------


def readme_build_command() -> str:
    """The build command of the README's quick start."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^(make build)\b.*#", readme, re.MULTILINE)
    assert match, "the README's quick start has no `make build` line"
    return match[1]


def parse(text: str) -> dict[Any, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[Any, Any]) -> Any:
    # YAML 1.1 (PyYAML) reads the key `on` as the boolean True; GitHub reads "on".
    return workflow.get("on", workflow.get(True))


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if s.get("uses", "").split("@")[0] == action]


def test_committed_workflow_is_the_generated_one() -> None:
    assert WORKFLOW.read_text(encoding="utf-8") == pages_workflow(REPO_INSTALL, REPO_BUILD)


def test_workflow_deploys_with_the_pages_actions() -> None:
    workflow = parse(WORKFLOW.read_text(encoding="utf-8"))
    on = triggers(workflow)
    assert on["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in on
    assert workflow["permissions"] == {"contents": "read", "pages": "write",
                                       "id-token": "write"}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}

    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert steps_using(build, "actions/checkout")
    (python,) = steps_using(build, "actions/setup-python")
    assert python["with"]["python-version"] == "3.11"
    (pages,) = steps_using(build, "actions/configure-pages")
    assert pages["id"] == "pages"
    (upload,) = steps_using(build, "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "site/"
    names = [s.get("name") or s["uses"].split("@")[0] for s in build["steps"]]
    assert names.index("actions/configure-pages") < names.index("Build")
    assert names.index("Install") < names.index("Build") < names.index(
        "actions/upload-pages-artifact")

    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    (deployment,) = steps_using(deploy, "actions/deploy-pages")
    assert deployment["id"] == "deployment"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"


def test_workflow_builds_with_the_readme_command_and_the_pages_url() -> None:
    steps = parse(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["build"]["steps"]
    (run,) = [s["run"] for s in steps if s.get("name") == "Build"]
    assert shlex.split(run)[:2] == shlex.split(readme_build_command())
    assert shlex.split(run)[2:] == [f"BASE_URL={PAGES_URL}/"]
    # make passes it on to briefgen.
    dry = subprocess.run(["make", "-n", "build", "BASE_URL=https://user.github.io/repo/"],
                         cwd=REPO, capture_output=True, text=True, check=True)
    assert "briefgen build --base-url 'https://user.github.io/repo/'" in dry.stdout
    # The install step names a real target of the Makefile (make -n fails otherwise).
    (install,) = [s["run"] for s in steps if s.get("name") == "Install"]
    assert shlex.split(install)[0] == "make"
    subprocess.run(["make", "-n", *shlex.split(install)[1:]], cwd=REPO,
                   capture_output=True, text=True, check=True)


def test_new_site_workflow_runs_briefgen(scratch_site: ScratchSite) -> None:
    workflow = parse(pages_workflow("pip install briefgen", "briefgen build"))
    steps = workflow["jobs"]["build"]["steps"]
    runs = {s["name"]: s["run"] for s in steps if "run" in s}
    assert runs == {"Install": "pip install briefgen",
                    "Build": f'briefgen build --base-url "{PAGES_URL}/"'}
    # The command as the runner's shell gets it, after Actions fills in the URL.
    command = shlex.split(runs["Build"].replace(PAGES_URL, PROJECT_URL.rstrip("/")))
    result = invoke(*command[1:], "--site", str(scratch_site.root))
    assert result.exit_code == 0, result.output
    assert 'href="/repo/static/style.css"' in (scratch_site.out / "index.html").read_text()


def test_workflow_commands_survive_yaml() -> None:
    tricky = 'pip install "briefgen>=0.1" && echo "done: ok" # not a comment'
    for command in (tricky, "- odd", "{braces}", "'quoted'"):
        steps = parse(pages_workflow(command, "briefgen build"))["jobs"]["build"]["steps"]
        (install,) = [s["run"] for s in steps if s.get("name") == "Install"]
        assert install == command


def test_workflow_refuses_multiline_or_empty_commands() -> None:
    for bad in ("", "  ", "pip install x\nrm -rf /"):
        try:
            pages_workflow(bad, "briefgen build")
        except ValueError as exc:
            assert "one non-empty line" in str(exc)
        else:
            raise AssertionError(f"accepted {bad!r}")
