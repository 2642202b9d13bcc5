"""``skillgap analyze`` and ``skillgap skillsets``: the engine on the command line.

These run in-process (no queue, no database), so they import only ``models``.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import sys
import time
from collections.abc import Iterator
from typing import IO, Any

import click

FORMATS = ("table", "json", "jsonl", "csv")
# JSON lines are for programs: no spaces after "," and ":" (a tenth of a record's size).
JSONL_SEPARATORS = (",", ":")
CSV_COLUMNS = [
    "id", "title", "company", "score", "fits", "percentile", "weighted_coverage", "skills", "required",
    "preferred", "gaps", "extras", "modern_share", "foundation_share", "locale", "error",
]


def cell(text: str, width: int, indent: int) -> str:
    """``text`` padded to a column of ``width``; a longer one whole on a line of its own,
    the row going on under it, so the next columns stay aligned (``indent``: the row's)."""
    if len(text) <= width:
        return f"{text:<{width}}"
    return f"{text}\n{'':<{indent + width}}"


class Progress:
    """A one-line progress report on stderr for multi-posting input."""

    def __init__(self, enabled: bool, total_bytes: int = 0) -> None:
        self.enabled = enabled
        self.total = total_bytes
        self.count = 0
        self.started = time.monotonic()
        self.last = 0.0

    def update(self, position: int | None = None, force: bool = False) -> None:
        self.count += 0 if force else 1
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < 0.2:
            return
        self.last = now
        rate = self.count / max(now - self.started, 1e-6)
        pct = f"{min(100, 100 * position // self.total):3d}% " if position is not None and self.total else ""
        noun = "posting" if self.count == 1 else "postings"
        click.echo(f"\r{pct}{self.count:,} {noun} analysed, {rate:,.0f}/s ", nl=False, err=True)

    def close(self) -> None:
        if self.enabled and self.count:
            self.update(self.total or None, force=True)
            click.echo("", err=True)


def _records(
    sources: tuple[str, ...], analyzer: Any, text_column: str | None, progress_wanted: bool
) -> Iterator[dict[str, Any]]:
    """Analyze every posting of every source; whole-file problems raise InputError."""
    from models.inputs import InputError, Posting, decode_bytes, input_format, iter_postings

    for source in sources:
        if source == "-":
            data = sys.stdin.buffer.read()
            text = decode_bytes(data, "standard input")
            yield _analyze_one(analyzer, text, id="stdin")
            continue
        if not os.path.exists(source):
            raise InputError(f"{source}: no such file")
        if os.path.isdir(source):
            raise InputError(f"{source}: is a folder; give the files in it")
        multi = input_format(source) in ("csv", "jsonl")
        size = os.path.getsize(source)
        with open(source, "rb") as raw:
            progress = Progress(multi and progress_wanted, size)
            for item in iter_postings(raw, source, text_column=text_column):
                if isinstance(item, Posting):
                    record = _analyze_one(analyzer, item.text, id=item.id, title=item.title, company=item.company,
                                          location=item.fields.get("location"))
                else:
                    record = _error_record(item.id or str(item.row), item.message)
                progress.update(raw.tell() if multi else None)
                yield record
            progress.close()


def _analyze_one(analyzer: Any, text: str, *, id: str, **fields: Any) -> dict[str, Any]:
    """One posting's record; an engine failure on it is its error, as in a worker, and the run goes on."""
    try:
        return analyzer.analyze(text, id=id, **fields)
    except Exception as exc:  # noqa: BLE001 - one posting must not end a 100k-row run
        from models.inputs import failure_message

        return _error_record(id, failure_message(exc))


def _error_record(posting_id: str, message: str) -> dict[str, Any]:
    return {"id": posting_id, "title": None, "company": None, "skills": [], "score": None,
            "coverage": None, "gaps": [], "extras": [], "pay": None, "locale": None, "error": message}


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """Flatten a record into one CSV row (lists joined with ';')."""
    from worker.export import market_cells  # only for CSV: it loads the database layer

    skills = record.get("skills") or []
    tier = (record.get("coverage") or {}).get("tier", {})
    return {
        "id": record.get("id"),
        "title": record.get("title"),
        "company": record.get("company"),
        "score": record.get("score"),
        **market_cells(record),
        "skills": ";".join(s["id"] for s in skills),
        "required": ";".join(s["id"] for s in skills if s["requirement"] == "required"),
        "preferred": ";".join(s["id"] for s in skills if s["requirement"] == "preferred"),
        "gaps": ";".join(g["id"] for g in record.get("gaps") or []),
        "extras": ";".join(e["id"] for e in record.get("extras") or []),
        "modern_share": tier.get("modern", {}).get("share"),
        "foundation_share": tier.get("foundation", {}).get("share"),
        "locale": record.get("locale"),
        "error": record.get("error"),
    }


def _table(record: dict[str, Any], out: IO[str], skillset: Any = None) -> None:
    from models.record import describe_record
    from models.scoring import record_skillset
    from web.explain import LEVEL_LABELS

    # The tiers, the coverage's totals and the market's reference are the skill set's and the market's.
    record = describe_record(record, skillset or record_skillset(record))

    title = record.get("title") or ""
    head = f"{record.get('id')}" + (f" - {title}" if title else "")
    if record.get("company"):
        head += f" ({record['company']})"
    out.write(head + "\n")
    if record.get("error"):
        out.write(f"  error: {record['error']}\n\n")
        return
    tier = record["coverage"]["tier"]
    shares = ", ".join(f"{t} {v['found']}/{v['total']}" for t, v in tier.items())
    out.write(f"  alignment score: {record['score']:.0f}/100  ({shares})\n")
    fit, market, parts = record.get("fit"), record.get("market"), record.get("score_parts")
    if fit and not fit["fits"]:
        out.write(f"  not a {fit['occupation']} posting (likelihood {fit['probability']:.0%}): "
                  "not compared with its market\n")
    elif market:
        ref = market["reference"]
        where = ", ".join(x for x in (ref["locale"] or "UK and US", ref["dates"]) if x)
        out.write(f"  market: percentile {market['percentile']} among {ref['postings']} real {ref['name']} "
                  f"postings ({where})\n")
    if parts:
        out.write(f"  weighted coverage: {parts['coverage']}/100 (required x{parts['weights']['required']}, "
                  f"preferred x{parts['weights']['preferred']}, mentioned x{parts['weights']['unspecified']})\n")
    if record["skills"]:
        out.write("  skills asked for:\n")
        for s in record["skills"]:
            # The same words found twice are shown once.
            texts = list(dict.fromkeys(e["text"] for e in s["evidence"]))
            evidence = "; ".join(f'"{t}"' for t in texts[:3])
            level = LEVEL_LABELS.get(s["requirement"], s["requirement"])
            out.write(f"    {cell(s['id'], 24, 4)} {s['tier']:<10} {level:<11} {evidence}\n")
    else:
        out.write("  skills asked for: none of the skill set\n")
    if record["gaps"]:
        ranked = "similar_share" in record["gaps"][0]
        order = "most asked by similar postings first" if ranked else "most important first"
        out.write(f"  gaps ({order}): " + ", ".join(g["id"] for g in record["gaps"]) + "\n")
    if record["extras"]:
        out.write("  extras outside the skill set: " + ", ".join(e["id"] for e in record["extras"]) + "\n")
    if record.get("pay"):
        out.write(f"  pay: {record['pay']['text']}{_pay_verdict(record, skillset)}\n")
    out.write(f"  locale: {record.get('locale') or 'unknown (every skill counts)'}\n")
    out.write("\n")


def _key(out: IO[str]) -> None:
    """What the table's tiers and levels mean and how its numbers are made, once under it."""
    from web.explain import badge_key, method

    out.write("key:\n")
    for badge in badge_key():
        out.write(f"  {badge['label']:<11} {badge['meaning']}\n")
    for line in method():
        out.write(f"  {line}\n")


def _pay_verdict(record: dict[str, Any], skillset: Any) -> str:
    """ "(within the skill set's US range, USD 19,000-45,000)", or nothing when not comparable."""
    from models.pay import compare_pay

    if skillset is None:
        return ""
    range_ = skillset.pay_range(record.get("locale"), record["pay"].get("currency"))
    verdict = compare_pay(record["pay"], range_) if range_ else None
    if not verdict:
        return ""
    where = f"{range_['locale']} " if range_.get("locale") else ""
    return f" ({verdict} the skill set's {where}range, {range_['currency']} {range_['min']:,}-{range_['max']:,})"


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--skillset", default=None,
              help="A skill set's id (built in, or created and stored) or a .toml file.")
@click.option("--text-column", default=None, help="CSV/JSONL column holding the posting text.")
@click.option("--no-matcher", is_flag=True, help="Use aliases only (no fuzzy matcher).")
@click.option("--progress/--no-progress", default=True, help="Progress on stderr for CSV/JSONL input.")
def analyze(paths: tuple[str, ...], fmt: str, skillset: str | None, text_column: str | None,
            no_matcher: bool, progress: bool) -> None:
    """Analyze postings: .txt, .html, .csv, .jsonl files, or - for standard input.

    Exits with 1 when no posting could be analysed (some failing is not enough).
    """
    from models.analysis import Analyzer
    from models.inputs import InputError
    from models.skillset import SkillSetError

    try:
        analyzer = Analyzer.for_skillset(_stored(skillset), use_matcher=not no_matcher)
    except SkillSetError as exc:
        raise click.ClickException(str(exc)) from None
    # What start-up built (the modules, the fitted matcher and market) lives as long as the
    # run: the garbage collector's full passes need not walk it again each time.
    gc.freeze()
    out = sys.stdout
    records = _records(paths, analyzer, text_column, progress)
    writer = None
    first = True
    analysed = failed = 0
    try:
        if fmt == "json":
            out.write("[")
        for record in records:
            if record.get("error"):
                failed += 1
            else:
                analysed += 1
            if fmt == "table":
                _table(record, out, analyzer.skillset)
            elif fmt == "jsonl":
                out.write(json.dumps(record, ensure_ascii=False, separators=JSONL_SEPARATORS) + "\n")
            elif fmt == "json":
                out.write(("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False, indent=2))
            else:
                if writer is None:
                    from worker.export import safe_cell

                    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
                    writer.writeheader()
                writer.writerow({k: safe_cell(v) for k, v in csv_row(record).items()})
            first = False
        if fmt == "json":
            out.write("\n]\n")
        elif fmt == "table" and analysed:
            _key(out)
    except InputError as exc:
        if fmt == "json":
            out.write("\n]\n")
        raise click.ClickException(str(exc)) from None
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
        return
    # A run that analysed nothing failed, whatever it printed: scripts see it in the exit code.
    if not analysed:
        if failed:
            raise click.ClickException(
                f"no posting could be analysed ({failed:,} failed; see their errors above)")
        raise click.ClickException("no postings found in the input")


@click.group(invoke_without_command=True)
@click.pass_context
def skillsets(ctx: click.Context) -> None:
    """List the built-in skill sets; 'skillgap skillsets show ID' tells one."""
    if ctx.invoked_subcommand is not None:
        return
    from models.skillset import builtin_skillsets

    for s in builtin_skillsets():
        modern = sum(1 for k in s.skills if k.tier == "modern")
        click.echo(f"{s.id:<28} {s.name} (version {s.version}; {len(s.skills)} skills, {modern} modern)")


def _stored(ref: str | None) -> Any:
    """A created skill set's id (``name-<20 hex digits>``, ``@version`` optional) is read
    from the database the workers use, as they read it; anything else is left as given
    (a built-in id or a file)."""
    from models.own_skillsets import CREATED_ID

    if not ref or not CREATED_ID.match(ref.partition("@")[0]):
        return ref
    from worker import skillsets
    from worker.settings import load_settings

    return skillsets.load(load_settings()["DATABASE_URL"], ref)


@skillsets.command("show")
@click.argument("skillset_id")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
def skillsets_show(skillset_id: str, fmt: str) -> None:
    """Tell a skill set: each skill with why it matters and where it applies, and its pay.

    SKILLSET_ID is a built-in id or the path of a .toml file. A record's gaps name
    their skills only; this is where what they stand for is told.
    """
    from models.skillset import SkillSet, SkillSetError, load_skillset

    try:
        stored = _stored(skillset_id)
        found = stored if isinstance(stored, SkillSet) else load_skillset(skillset_id)
    except SkillSetError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        from models.record import skillset_json

        click.echo(json.dumps(skillset_json(found), ensure_ascii=False, indent=2))
        return
    click.echo(f"{found.id}: {found.name} (version {found.version})")
    if found.description:
        click.echo(f"  {found.description}")
    for r in found.pay.values():
        where = f" ({r['locale']})" if r.get("locale") else ""
        click.echo(f"  pay{where}: {r['currency']} {r['min']:,}-{r['max']:,} a {r['period']}; {r['source']}")
    click.echo("")
    click.echo(f"  {'id':<24} {'tier':<10} {'weight':>6}  {'applies':<8} name")
    for k in found.skills:
        click.echo(f"  {k.id:<24} {k.tier:<10} {k.weight:>6g}  {','.join(k.applies) or 'all':<8} {k.name}")
        if k.why:
            click.echo(f"  {'':<24} why: {k.why}")
        if k.counterpart:
            click.echo(f"  {'':<24} elsewhere: {k.counterpart}")


def register(group: click.Group) -> None:
    """Add the engine's commands to the ``skillgap`` command group."""
    group.add_command(analyze)
    group.add_command(skillsets)


