"""A file row's location is a cue to its posting's locale, as in `skillgap analyze`."""

from __future__ import annotations

import io

from worker import pipeline
from worker.results import iter_results

TEXT = ("Medical receptionist. Greet patients, schedule appointments and answer phones. "
        "Customer service experience required.")


def _run(url: str, csv: str) -> str:
    chunks: list[int] = []
    batch_id = pipeline.submit_file(url, io.BytesIO(csv.encode()), "rows.csv",
                                    lambda _b, c: chunks.append(c), chunk_size=10)
    for chunk in chunks:
        pipeline.run_chunk(url, batch_id, chunk, pipeline.start_chunk(url, batch_id, chunk))
    return batch_id


def test_batch_rows_are_analysed_with_their_location(db_url: str, real_engine: None) -> None:
    rows = [("Austin, TX", "US"), ("Leeds, UK", "UK"), ("", None), ("Austin, TX", "US")]
    csv = "description,location\n" + "".join(f'"{TEXT}","{loc}"\n' for loc, _ in rows)
    results = list(iter_results(db_url, _run(db_url, csv)))
    assert [r.record["locale"] for r in results] == [locale for _, locale in rows]
    assert [r.location for r in results] == [loc or None for loc, _ in rows]
    # The same text is another posting with another location; with the same one it is the same.
    assert results[0].record == results[3].record != results[1].record
    assert results[0].record["market"]["reference"] != results[1].record["market"]["reference"]


def test_the_worker_passes_each_row_its_location(db_url: str, fake_analyzer) -> None:
    csv = "description,location\nepic one,\"Austin, TX\"\nepic one,Leeds\nepic one,\nepic two,Leeds\n"
    _run(db_url, csv)
    assert sorted(zip(fake_analyzer.calls, fake_analyzer.locations, strict=True), key=str) == sorted([
        ("epic one", "Austin, TX"), ("epic one", "Leeds"), ("epic one", None), ("epic two", "Leeds")], key=str)
