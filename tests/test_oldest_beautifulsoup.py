"""The tree builder on the oldest BeautifulSoup that pyproject.toml allows.

The builder links plain nodes as BeautifulSoup does, and the details moved
between versions: with 4.12 the engine once failed on every HTML posting while
the suite, on the newest version, passed. So a small environment with that
version builds the same documents both ways and compares the trees.

The old version is the one installed when it is that one; else a copy fetched once
into the user's cache folder (offline first, then from the package index) and put
before the installed one on the path, beside the installed lxml. The test skips,
saying why, only when neither is possible.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_engine_parsing import _TREE_PAGES, _random_markup

ROOT = Path(__file__).resolve().parent.parent

_CHECK = """
import json, sys
from bs4 import BeautifulSoup, __version__
from models import soup
markups = json.load(open(sys.argv[1], encoding="utf-8"))
def plain(tree):
    return repr(soup.tree_signature(tree)).replace("_Soup", "BeautifulSoup").replace("models.soup", "bs4")
differ = [m for m in markups if plain(soup.make_soup(m)) != plain(BeautifulSoup(m, "lxml"))]
print(json.dumps({"version": __version__, "direct": soup._builders.lxml is not None, "differ": differ[:3],
                  "n_differ": len(differ)}))
"""


def oldest_allowed() -> str:
    found = re.search(r'"beautifulsoup4>=([\d.]+)[,"]', (ROOT / "pyproject.toml").read_text())
    assert found, "pyproject.toml names no lower bound for beautifulsoup4"
    return found.group(1)


def old_beautifulsoup(oldest: str) -> list[str]:
    """Return the folders to put first on the path for BeautifulSoup ``oldest`` (none when
    it is the installed one), fetching it once into the cache folder; skip when it cannot
    be had."""
    installed = importlib.metadata.version("beautifulsoup4")
    if installed == oldest or installed.startswith(oldest + "."):
        return []
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    target = cache / "skillgap" / f"beautifulsoup4-{oldest}"
    if (target / "bs4" / "__init__.py").exists():
        return [str(target)]
    problems = []
    # What this machine has (pip's find-links) first, then the package index. The
    # installed lxml and soupsieve serve the old version too: no other package is needed.
    for where, options in (("offline", ["--no-index"]), ("from the index", [])):
        run = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--upgrade",
             "--target", str(target), f"beautifulsoup4=={oldest}.*", *options],
            capture_output=True, text=True, timeout=600,
        )
        if run.returncode == 0:
            return [str(target)]
        lines = run.stderr.strip().splitlines()
        problems.append(f"{where}: {lines[-1] if lines else 'pip failed'}")
    pytest.skip(f"beautifulsoup4 {oldest}.* is not installed here ({installed} is) and pip "
                f"cannot get it ({'; '.join(problems)})")


def test_the_tree_builder_on_the_oldest_beautifulsoup_allowed(tmp_path):
    oldest = oldest_allowed()
    path_first = old_beautifulsoup(oldest)
    rng = random.Random(11)
    markups = _TREE_PAGES + [_random_markup(rng) for _ in range(300)]
    path = tmp_path / "markups.json"
    path.write_text(json.dumps(markups), encoding="utf-8")
    pythonpath = os.pathsep.join([*path_first, str(ROOT)])
    run = subprocess.run([sys.executable, "-c", _CHECK, str(path)], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": pythonpath}, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert result["version"].startswith(oldest + ".")
    assert result["n_differ"] == 0, result["differ"]
    assert result["direct"]  # the direct path was taken, not only the stock one


def test_a_version_that_cannot_be_had_skips_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(pytest.skip.Exception, match=r"beautifulsoup4 0\.0\.1\.\* is not installed "
                                                    r"here \(.+ is\) and pip cannot get it \(offline: "):
        old_beautifulsoup("0.0.1")
