"""The README and docs/ say what the code does: their commands run as written, every
setting the code reads is documented, the example skill set loads and finds skills."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from worker.settings import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
EXAMPLE = ROOT / "examples" / "skillsets" / "pharmacy-technician.toml"

# Commands of the README that the test runs, by how they start; and those it does not
# run, with the reason. A command that is in neither list fails the test.
RUN = (".venv/bin/skillgap analyze ", ".venv/bin/skillgap skillsets", ".venv/bin/skillgap match ",
       ".venv/bin/python benchmarks/evaluate.py --help")
NOT_RUN = {
    "bash scripts/run.sh": "serves until stopped (tests/test_worker_serve.py runs skillgap serve)",
    "bash scripts/test.sh": "runs this very test suite",
    "bash scripts/test.sh -k parsing": "runs tests of this suite",
    ".venv/bin/python benchmarks/evaluate.py --errors": "a full evaluation: minutes",
    "cp .env.example .env && docker compose up --build": "needs Docker",
}


def shell_commands(markdown: str) -> list[str]:
    """The commands of a document's ```sh blocks (comments dropped) and of its inline code
    spans that start with .venv/bin/."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, re.S):
        for line in block.splitlines():
            command = line.split("  #", 1)[0].strip()
            if command and not command.startswith("#"):
                commands.append(command)
    commands += re.findall(r"`(\.venv/bin/[^`]+)`", markdown)
    return commands


def test_the_readme_is_short_and_links_its_docs() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 9000, "the README is a guide; details go to docs/"
    for name in ("architecture", "skill-sets", "accuracy", "performance", "deployment"):
        assert f"(docs/{name}.md)" in text and (DOCS / f"{name}.md").exists()
    assert "(CHANGELOG.md)" in text and (ROOT / "CHANGELOG.md").exists()


def test_every_readme_command_is_run_or_excused() -> None:
    for command in shell_commands(README.read_text(encoding="utf-8")):
        assert command.startswith(RUN) or command in NOT_RUN, (
            f"README command {command!r}: add it to RUN (and check it runs) or NOT_RUN with why")


def run_as_written(command: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run a command in a folder laid out as a fresh clone after scripts/setup.sh: the
    repository's tracked files and .venv (this interpreter's environment)."""
    for name in ("examples", "benchmarks", "tests"):
        if not (tmp_path / name).exists():
            (tmp_path / name).symlink_to(ROOT / name)
    if not (tmp_path / ".venv").exists():
        (tmp_path / ".venv").symlink_to(sys.prefix)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKILLGAP_")}
    return subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)


def documented_commands() -> list[str]:
    found = shell_commands(README.read_text(encoding="utf-8"))
    found += shell_commands((DOCS / "skill-sets.md").read_text(encoding="utf-8"))
    return list(dict.fromkeys(c for c in found if c.startswith(RUN)))


@pytest.mark.slow
@pytest.mark.parametrize("command", documented_commands())
def test_documented_commands_run_as_written(command: str, tmp_path: Path) -> None:
    tracked = set(subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.split())
    for word in shlex.split(command):
        if "/" in word and not word.startswith(".venv/") and tracked:
            assert word in tracked, f"{word} is not in a fresh clone (not tracked by git)"
    out = run_as_written(command, tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    if "--format csv >" in command:
        written = (tmp_path / command.rsplit(">", 1)[1].strip()).read_text(encoding="utf-8")
        assert written.startswith("id,") and len(written.splitlines()) > 10
    elif "--help" not in command:
        assert out.stdout.strip()


def settings_read_by_the_code() -> set[str]:
    """Every setting name the code reads: the shared defaults and the web app's config keys."""
    names = set(DEFAULTS)
    for path in (ROOT / "web").glob("*.py"):
        names |= set(re.findall(r'config(?:\.get|\.setdefault)?[\[(]"([A-Z][A-Z_]+)"',
                                path.read_text(encoding="utf-8")))
    return names


def test_every_setting_is_documented_and_in_env_example() -> None:
    deployment = (DOCS / "deployment.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    plain = {"DATABASE_URL", "REDIS_URL"}
    for name in sorted(settings_read_by_the_code()):
        documented = name if name in plain else f"SKILLGAP_{name}"
        assert f"`{documented}`" in deployment, f"{documented} is not in docs/deployment.md"
        if name != "MAX_CONTENT_LENGTH":  # the same bound as MAX_UPLOAD_MB, in bytes
            assert re.search(rf"^#? ?{documented}=", example, re.M), (
                f"{documented} is not in .env.example")
    # The three the README documented and .env.example lacked.
    for name in ("SKILLGAP_MAX_ROWS", "SKILLGAP_MAX_FORM_MEMORY_SIZE", "SKILLGAP_PASTE_WAIT_SECONDS"):
        assert name in example


def test_the_example_skill_set_loads_and_finds_a_pharmacy_technicians_skills() -> None:
    from models.analysis import Analyzer
    from models.skillset import load_skillset

    skillset = load_skillset(str(EXAMPLE))
    assert (skillset.id, skillset.name) == ("pharmacy-technician", "Pharmacy Technician")
    assert len(skillset.skills) == 12 and sum(s.tier == "modern" for s in skillset.skills) == 7
    posting = (
        "Pharmacy Technician\n\nResponsibilities\n"
        "- Dispense prescriptions accurately, including controlled drugs, on our PMR system.\n"
        "- Process electronic prescriptions (EPS) and manage stock control.\n"
        "- Report near misses.\n\nRequirements\n- Registered with the GPhC.\n"
        "We offer a staff discount and 28 days holiday."
    )
    record = Analyzer.for_skillset(str(EXAMPLE)).analyze(posting)
    found = {s["id"] for s in record["skills"]}
    assert {"dispensing", "controlled_drugs", "pharmacy_systems", "electronic_prescriptions",
            "inventory", "medication_safety", "registration"} <= found
    assert "automation" in {g["id"] for g in record["gaps"]}
    # The docs show the file's own tables, word for word.
    text = EXAMPLE.read_text(encoding="utf-8")
    for block in re.findall(r"```toml\n(\[\[skills\]\]\nid = \"(?:dispensing|pharmacy_systems)\".*?)```",
                            (DOCS / "skill-sets.md").read_text(encoding="utf-8"), re.S):
        assert block in text
