"""The GitHub Actions workflow that publishes a site on GitHub Pages.

One function writes it, for this repository and for every site ``briefgen
init`` creates, so both deploy the same way: GitHub's own Pages actions
(configure-pages, upload-pages-artifact, deploy-pages) rather than a
``gh-pages`` branch, which needs no token and no Jekyll.

The build command gets the site's public URL from configure-pages, because
a project site lives under ``/repo/`` and a custom domain at ``/``: the URL
in ``briefgen.yaml`` may be either, and a wrong base path breaks every link.
"""

from __future__ import annotations

import shlex

BASE_URL = "${{ steps.pages.outputs.base_url }}/"
"""configure-pages gives the URL without its trailing slash."""

TEMPLATE = """\
# Build the briefing site and publish it on GitHub Pages.
# Settings → Pages → Source must be "GitHub Actions".
name: Publish to GitHub Pages

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

# One deployment at a time; a running one finishes rather than being cut off
# half-published.
concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - id: pages
        uses: actions/configure-pages@v5
      # Parsed briefings from earlier runs; briefgen checks every entry against
      # the sources, so any restored cache is safe and only saves work.
      - name: Restore the build cache
        uses: actions/cache@v4
        with:
          path: .briefgen-cache
          key: briefgen-cache-${{{{ github.run_id }}}}
          restore-keys: briefgen-cache-
      - name: Install
        run: {install}
      - name: Build
        run: {build}
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site/

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def pages_workflow(install: str, build: str) -> str:
    """The workflow file's text; ``install`` and ``build`` are shell commands.

    The build command is given the Pages URL: a ``make`` command as the make
    variable ``BASE_URL=…``, any other (``briefgen build``) as ``--base-url …``.
    It must write the site into ``site/``.
    """
    for name, command in (("install", install), ("build", build)):
        if not command.strip() or "\n" in command:
            raise ValueError(f"the {name} command must be one non-empty line: {command!r}")
    return TEMPLATE.format(install=_yaml_scalar(install),
                           build=_yaml_scalar(with_base_url(build)))


def with_base_url(build: str) -> str:
    """``build`` with the Pages URL passed the way the command takes it."""
    # Actions substitutes the expression before the shell runs; the quotes
    # are for the shell, should the URL ever hold a character it treats specially.
    quoted = f'"{BASE_URL}"'
    if shlex.split(build)[0] == "make":
        return f"{build} BASE_URL={quoted}"
    return f"{build} --base-url {quoted}"


def _yaml_scalar(text: str) -> str:
    # Plain scalars are what people write in workflows; quote only when YAML
    # would read the text as something else (a mapping, a comment, a flag).
    plain_unsafe = text[0] in "!&*-?[]{}|>%@`\"'#," or ": " in text or " #" in text
    if plain_unsafe:
        return "'" + text.replace("'", "''") + "'"
    return text
