"""``skillgap match RESUME POSTING``: a résumé against one posting, on this machine alone;
``skillgap match RESUME --batch ID``: against a finished batch's postings.

Nothing is stored and nothing is sent anywhere: the engine runs in this process
(against a batch, it reads the batch's results from the database).
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

import click

from web.analyze_cli import cell

# The width of the skills' column, which holds most skill names (a longer one gets a line of its own).
NAME = 46

@click.command()
@click.argument("resume", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("posting", type=click.Path(dir_okay=False, allow_dash=True), required=False)
@click.option("--batch", "batch_id", default=None, metavar="ID",
              help="Instead of a posting, a finished batch: its postings ranked by match.")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@click.option("--skillset", default=None, help="A built-in skill-set id or a .toml file.")
def match(resume: str, posting: str | None, batch_id: str | None, fmt: str, skillset: str | None) -> None:
    """Hold a résumé (.txt, .pdf, .docx) against a posting (.txt, .html) or a batch.

    Lists what the posting asks that the résumé shows, what it asks that the résumé
    does not show (required first), and what the skill set expects that neither
    mentions, most asked by real postings first; and the match, 0-100. Either file
    may be - for standard input.

    With --batch ID, the finished batch's postings are ranked by match, best first,
    with the skills that would complete or improve the most of them; the batch's
    own skill set is used.
    """
    from models.analysis import Analyzer
    from models.inputs import InputError, decode_bytes
    from models.match import match_texts
    from models.resume import read_resume
    from models.skillset import SkillSetError

    if (posting is None) == (batch_id is None):
        raise click.UsageError("give a POSTING or --batch ID, not both")
    if batch_id is not None and skillset is not None:
        raise click.UsageError("--skillset does not go with --batch: the batch's own skill set is used")
    if resume == "-" and posting == "-":
        raise click.UsageError("only one of RESUME and POSTING can be standard input")
    try:
        resume_text = read_resume(_read(resume), resume)
    except InputError as exc:
        raise click.ClickException(f"{resume}: {exc}") from None
    if batch_id is not None:
        _match_batch(resume_text, batch_id, fmt)
        return
    assert posting is not None
    try:
        posting_text = decode_bytes(_read(posting), posting)
    except InputError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        analyzer = Analyzer.for_skillset(skillset)
    except SkillSetError as exc:
        raise click.ClickException(str(exc)) from None
    result = match_texts(analyzer, resume_text, posting_text)
    if result.get("error"):
        raise click.ClickException(f"{posting}: {result['error'].removeprefix('the posting: ')}")
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        write_table(result, sys.stdout)


def _match_batch(resume_text: str, batch_id: str, fmt: str) -> None:
    """Rank a finished batch's postings for a résumé; print them as the API gives them."""
    from models.skillset import SkillSetError
    from worker import matches
    from worker.pipeline.analyzers import get_analyzer
    from worker.settings import load_settings

    url = load_settings()["DATABASE_URL"]
    try:
        analyzer = get_analyzer(url, matches.batch_skillset(url, batch_id))
    except matches.BatchNotReady:
        raise click.ClickException(f"no finished batch {batch_id}: see `skillgap batch status`") from None
    except SkillSetError as exc:
        raise click.ClickException(str(exc)) from None
    result = matches.match_batch(url, batch_id, analyzer, resume_text)
    body = {"kind": "batch", **{k: v for k, v in result.items() if k != "error"}}
    if fmt == "json":
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        write_batch_table(body, sys.stdout)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror or exc}") from None


def _quote(spans: list[dict[str, Any]]) -> str:
    return ", ".join(f'"{" ".join(e["text"].split())}"' for e in spans[:2])


_LEVEL = {"required": "required", "preferred": "preferred", "unspecified": "mentioned"}


def _name_and_level(item: dict[str, Any]) -> str:
    return f"{cell(item['name'], NAME, 2)} {_LEVEL.get(item['requirement'], item['requirement']):<10}"


def write_table(result: dict[str, Any], out: TextIO) -> None:
    """Write a match for people: the figure and how it was worked out, then the three lists."""
    title = result["posting"].get("title") or "the posting"
    match = "no figure" if result["match"] is None else f"{result['match']}%"
    out.write(f"Match with {title}: {match}\n  {result['match_parts']['explained']}\n")
    out.write(f"\nYou have ({len(result['have'])}): the posting asks, the résumé shows\n")
    for item in result["have"]:
        out.write(f"  {_name_and_level(item)} résumé: {_quote(item['evidence']['resume'])}\n")
    out.write(f"\nMissing ({len(result['missing'])}): the posting asks, the résumé does not show\n")
    for item in result["missing"]:
        said = "  (the résumé says you do not have it)" if item.get("negated") else ""
        out.write(f"  {_name_and_level(item)} posting: {_quote(item['evidence']['posting'])}{said}\n")
    out.write(f"\nLearn next ({len(result['learn_next'])}): the skill set expects, neither mentions\n")
    for item in result["learn_next"]:
        share = ("" if item["asked_share"] is None
                 else f"asked by {item['asked_share']:.0%} of real postings" if item["asked_share"]
                 else "not asked by the real postings compared yet")
        out.write(f"  {cell(item['name'], NAME, 2)} {share}\n")


def write_batch_table(result: dict[str, Any], out: TextIO) -> None:
    """Write a match against a batch for people: the skills to learn, then the postings, best first."""
    out.write(f"Against {result['ranked']} postings: you match {result['full_matches']} fully\n")
    if result["unmatched"]:
        out.write(f"  {result['unmatched']} more asked for nothing skillgap knows, or could not be analysed\n")
    out.write(f"\nSkills to learn ({len(result['to_learn'])}): most postings completed, then improved\n")
    for item in result["to_learn"]:
        out.write(f"  {cell(item['name'], NAME, 2)} completes {item['completes']}, improves {item['improves']} "
                  f"(required in {item['required_in']})\n")
    shown = len(result["postings"])
    count = f"the best {shown} of {result['ranked']}" if shown < result["ranked"] else str(shown)
    out.write(f"\nPostings, best match first ({count}):\n")
    for p in result["postings"]:
        name = (p["title"] or "untitled") + (f" ({p['company']})" if p["company"] else "")
        missing = ", ".join(m["name"] + (" (required)" if m["requirement"] == "required" else "")
                            for m in p["missing"])
        out.write(f"  row {p['row']:<6} {p['match']:>3}%  {name}\n")
        if missing:
            out.write(f"  {'':<14}missing: {missing}\n")
