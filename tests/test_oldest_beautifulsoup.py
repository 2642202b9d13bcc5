"""The tree builder on the oldest BeautifulSoup that pyproject.toml allows.

The builder links plain nodes as BeautifulSoup does, and the details moved
between versions: with 4.12 the engine once failed on every HTML posting while
the suite, on the newest version, passed. So a small environment with that
version (and lxml) builds the same documents both ways and compares the trees.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import venv
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


def test_the_tree_builder_on_the_oldest_beautifulsoup_allowed(tmp_path):
    oldest = re.search(r'"beautifulsoup4>=([\d.]+)[,"]', (ROOT / "pyproject.toml").read_text()).group(1)
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"beautifulsoup4=={oldest}.*", "lxml"],
        capture_output=True, text=True, timeout=600,
    )
    if install.returncode != 0:
        pytest.skip(f"cannot install beautifulsoup4 {oldest}: {install.stderr[-300:]}")
    rng = random.Random(11)
    markups = _TREE_PAGES + [_random_markup(rng) for _ in range(300)]
    path = tmp_path / "markups.json"
    path.write_text(json.dumps(markups), encoding="utf-8")
    run = subprocess.run([str(python), "-c", _CHECK, str(path)], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert result["version"].startswith(oldest + ".")
    assert result["n_differ"] == 0, result["differ"]
    assert result["direct"]  # the direct path was taken, not only the stock one
