"""``briefgen clean``: remove what builds wrote, and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

from briefgen.diskcache import CACHE_DIR
from briefgen.errors import ConfigError
from briefgen.writer import check_output_dir


def clean_site(site_dir: Path, out_dir: Path) -> list[Path]:
    """Remove the output folder (if a build wrote it) and the build cache."""
    removed: list[Path] = []
    if out_dir.exists():
        check_output_dir(out_dir, site_dir)
        if not (out_dir / ".nojekyll").exists():
            raise ConfigError(f"{out_dir}: not a folder briefgen built; remove it yourself "
                              "if you are sure.")
        shutil.rmtree(out_dir)
        removed.append(out_dir)
    cache = site_dir / CACHE_DIR
    if cache.exists():
        shutil.rmtree(cache)
        removed.append(cache)
    return removed
