"""Reading postings: bad input never raises a traceback; CSV and JSONL quirks are handled."""

from __future__ import annotations

import io
import random

import pytest

from models.analysis import Analyzer
from models.inputs import (
    MAX_POSTING_CHARS,
    InputError,
    Posting,
    RowError,
    check_text,
    decode_bytes,
    detect_columns,
    input_format,
    iter_postings,
    preview,
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.for_skillset()


def read(data: bytes, name: str = "input.csv", **kw) -> list[Posting | RowError]:
    return list(iter_postings(io.BytesIO(data), name, **kw))


def postings(items: list) -> list[Posting]:
    return [p for p in items if isinstance(p, Posting)]


def errors(items: list) -> list[RowError]:
    return [p for p in items if isinstance(p, RowError)]


# --- one posting's text ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", "\n\t \r\n", "\u00a0"])
def test_empty_text_gives_record_error(analyzer, raw):
    record = analyzer.analyze(raw, id="e")
    assert record["error"] is not None and "empty" in record["error"]
    assert record["id"] == "e"
    assert record["skills"] == [] and record["gaps"] == [] and record["extras"] == []
    assert record["score"] is None


def test_markup_without_text_gives_record_error(analyzer):
    record = analyzer.analyze("<div><script>var x = 1;</script><br/></div>")
    assert record["error"] == "no text found in the posting"
    assert record["skills"] == []


def test_binary_text_gives_record_error(analyzer):
    junk = "".join(chr(i % 32) for i in range(2000))
    record = analyzer.analyze(junk)
    assert record["error"] is not None and "binary" in record["error"]


def test_binary_bytes_raise_input_error():
    junk = b"\x00\x01\x02\xff\xfe" * 400
    with pytest.raises(InputError, match="binary"):
        decode_bytes(junk, "paste")
    for name in ("junk.txt", "junk.html", "junk.csv", "junk.jsonl"):
        with pytest.raises(InputError) as info:
            read(junk, name)
        assert name in str(info.value) and "binary" in str(info.value)


def test_binary_without_nuls_is_refused():
    junk = bytes(range(1, 32)) * 200 + bytes(range(128, 256)) * 20
    with pytest.raises(InputError, match="binary"):
        decode_bytes(junk, "blob")


def test_the_quick_control_character_test_agrees_with_a_search():
    """Text is binary when over 5% of its first 4,096 characters are control characters or U+FFFD."""
    from models.decoding import _CONTROL, _looks_binary

    def by_search(text: str) -> bool:
        sample = text[:4096]
        return bool(sample) and len(_CONTROL.findall(sample)) / len(sample) > 0.05

    rng = random.Random(4)
    alphabet = [chr(c) for c in range(40)] + ["\ufffd", "\u00e9", "\x7f", "\x85", "\U0001F600"] + ["a"] * 40
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        assert _looks_binary(text) == by_search(text), repr(text)


def test_ten_megabyte_paste_is_refused(analyzer):
    huge = "Schedule appointments. " * (10_000_000 // 23)
    assert len(huge) > 9_000_000
    problem = check_text(huge)
    assert problem and "limit" in problem and f"{MAX_POSTING_CHARS:,}" in problem
    record = analyzer.analyze(huge)
    assert record["error"] == problem
    assert record["skills"] == []


def test_ten_megabyte_file_is_a_row_error():
    items = read(b"a" * 10_000_000, "huge.txt")
    assert len(items) == 1 and isinstance(items[0], RowError)
    assert "huge.txt" in items[0].message and "limit" in items[0].message


def test_decode_bytes_utf8_bom_and_cp1252():
    assert decode_bytes("\ufeffCaf\u00e9 \u00a320".encode("utf-8")) == "Caf\u00e9 \u00a320"
    assert decode_bytes("Caf\u00e9 \u00a320".encode("utf-8")) == "Caf\u00e9 \u00a320"
    text = "Caf\u00e9 \u00a320 \u2013 ok"
    assert decode_bytes(text.encode("cp1252")) == text


def test_text_and_html_files_are_one_posting():
    items = read("Front desk \u2013 \u00a310.50/hour".encode("cp1252"), "advert.txt")
    assert len(items) == 1
    p = items[0]
    assert isinstance(p, Posting) and p.id == "advert.txt" and p.row == 1
    assert p.text == "Front desk \u2013 \u00a310.50/hour"
    items = read(b"<p>Front desk</p>", "dir/advert.html")
    assert items[0].id == "advert.html" and items[0].text == "<p>Front desk</p>"
    assert isinstance(read(b" \n ", "blank.txt")[0], RowError)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.csv", "csv"), ("a.TSV", "csv"), ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"),
     ("a.json", "jsonl"), ("a.htm", "html"), ("a.HTML", "html"), ("a.txt", "txt"), ("a", "txt")],
)
def test_input_format(name, fmt):
    assert input_format(name) == fmt


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_in_cp1252():
    data = (
        "id,title,company,description\n"
        "c1,Caf\u00e9 receptionist,Cl\u00ednica \u00c9toile,"
        "Salary \u00a318k. Data entry \u2013 r\u00e9sum\u00e9 required\n"
    ).encode("cp1252")
    (p,) = read(data)
    assert isinstance(p, Posting)
    assert p.title == "Caf\u00e9 receptionist"
    assert p.company == "Cl\u00ednica \u00c9toile"
    assert p.text == "Salary \u00a318k. Data entry \u2013 r\u00e9sum\u00e9 required"


def test_csv_in_cp1252_with_the_first_pound_sign_after_64_kb():
    filler = "".join(f"{i},Clerk,Data entry and typing {'x' * 100}\n" for i in range(1, 700))
    last = "700,Caf\u00e9 clerk,Salary \u00a318k\n"
    data = ("id,title,description\n" + filler + last).encode("cp1252")
    assert len(data) > 65536 and data.index(b"\xa3") > 65536
    items = read(data)
    assert len(items) == 700
    last = items[-1]
    assert isinstance(last, Posting), last
    assert last.text == "Salary \u00a318k" and last.title == "Caf\u00e9 clerk"


def test_csv_utf8_with_bom_header():
    data = "\ufeffdescription,title\nData entry \u00e9t\u00e9,Clerk\n".encode("utf-8")
    (p,) = read(data)
    assert isinstance(p, Posting)
    assert p.text == "Data entry \u00e9t\u00e9" and p.title == "Clerk"


def test_csv_semicolon_delimiter():
    data = "title;description;company\nClerk;Data entry, typing and filing;Acme \u00a3\n".encode()
    (p,) = read(data)
    assert (p.title, p.text, p.company) == ("Clerk", "Data entry, typing and filing", "Acme \u00a3")


def test_tsv_and_pipe_delimiters():
    (p,) = read(b"title\tdescription\nClerk\tData entry, typing\n", "input.tsv")
    assert (p.title, p.text) == ("Clerk", "Data entry, typing")
    (p,) = read(b"title|description\nClerk|Data entry, typing\n")
    assert (p.title, p.text) == ("Clerk", "Data entry, typing")


def test_csv_quoted_newlines_inside_a_field():
    data = (
        b'id,description,title\n'
        b'a,"Line one\nline two, with a comma\r\n""quoted"" line three",First\n'
        b'b,Second posting,Second\n'
    )
    items = read(data)
    assert [p.id for p in items] == ["a", "b"]
    assert items[0].text == 'Line one\nline two, with a comma\r\n"quoted" line three'
    assert items[0].title == "First"
    assert (items[1].row, items[1].text) == (2, "Second posting")


def test_csv_missing_description_column_names_the_columns():
    with pytest.raises(InputError) as info:
        read(b"id,title,company\n1,Clerk,Acme\n", "jobs.csv")
    message = str(info.value)
    assert message.startswith("jobs.csv:")
    assert "id, title, company" in message
    assert "--text-column" in message


def test_csv_text_column_override():
    data = b"id,advert,description\n1,Data entry clerk,unrelated\n"
    (p,) = read(data, text_column="advert")
    assert p.text == "Data entry clerk"
    (p,) = read(b"id,advert\n1,Data entry clerk\n", text_column="advert")
    assert p.text == "Data entry clerk"


def test_csv_unknown_text_column():
    with pytest.raises(InputError) as info:
        read(b"id,advert\n1,Data entry\n", "jobs.csv", text_column="body_text")
    assert "'body_text'" in str(info.value) and "id, advert" in str(info.value)


def test_csv_header_names_are_matched_loosely():
    mapping = detect_columns(["Job-Title", " Job Description ", "Employer", "Date-Posted", "City"])
    assert mapping["title"] == "Job-Title"
    assert mapping["text"] == " Job Description "
    assert mapping["company"] == "Employer"
    assert mapping["date"] == "Date-Posted"
    assert mapping["location"] == "City"
    assert mapping["id"] is None


def test_csv_header_names_with_spaces():
    mapping = detect_columns(["Job ID", "Company Name", "Date Posted", "Job Description"])
    assert mapping["id"] == "Job ID"
    assert mapping["company"] == "Company Name"
    assert mapping["date"] == "Date Posted"


def test_csv_ids_fall_back_to_row_numbers_and_columns_are_picked_up():
    data = (
        b"Job Title,Employer,Location,date_posted,Job Description\n"
        b"Clerk,Acme,Leeds,2020-11-01,Data entry\n"
        b"\n"
        b"Receptionist,Beta,York,2020-11-02,Greet patients\n"
    )
    items = read(data)
    assert [(p.row, p.id) for p in items] == [(1, "1"), (2, "2")]
    assert [(p.title, p.company) for p in items] == [("Clerk", "Acme"), ("Receptionist", "Beta")]
    assert items[0].fields == {"location": "Leeds", "date": "2020-11-01"}


def test_csv_blank_id_falls_back_to_row_number():
    items = read(b"id,description\n,Data entry\nx9,Typing\n")
    assert [p.id for p in items] == ["1", "x9"]


def test_csv_bad_rows_are_row_errors_and_the_rest_are_read():
    big = b"a" * (MAX_POSTING_CHARS + 10)
    data = (
        b"id,title,description\n"
        b"1,Clerk,Data entry\n"
        b"2,Empty,\n"
        b'3,Huge,"' + big + b'"\n'
        b"4,Short\n"
        b"5,Receptionist,Greet patients\n"
    )
    items = read(data)
    assert [type(p).__name__ for p in items] == [
        "Posting", "RowError", "RowError", "RowError", "Posting"]
    assert [p.row for p in items] == [1, 2, 3, 4, 5]
    assert items[1].id == "2" and "empty" in items[1].message
    assert items[1].message.startswith("row 2:")
    assert items[2].message.startswith("row 3:") and "CSV" in items[2].message
    assert items[3].id == "4" and items[3].message.startswith("row 4:")
    assert items[4].id == "5" and items[4].text == "Greet patients"


def test_csv_empty_file_and_header_only():
    with pytest.raises(InputError, match="empty"):
        read(b"", "empty.csv")
    assert read(b"id,description\n") == []


def test_csv_preview():
    data = b"id;title;description\n1;Clerk;Data entry\n2;Receptionist;Greet\n3;A;B\n"
    header, mapping, rows = preview(io.BytesIO(data), "p.csv", rows=2)
    assert header == ["id", "title", "description"]
    assert mapping["text"] == "description" and mapping["id"] == "id"
    assert rows == [{"id": "1", "title": "Clerk", "description": "Data entry"},
                    {"id": "2", "title": "Receptionist", "description": "Greet"}]


# --- JSON lines ----------------------------------------------------------------------------


def test_jsonl_broken_line_is_a_row_error_and_the_others_are_read():
    data = (
        b'{"id": "a", "description": "Data entry", "title": "Clerk", "company": "Acme"}\n'
        b'{"id": "b", "description": "unterminated\n'
        b'{"id": "c", "description": "Greet patients"}\n'
        b"[1, 2]\n"
        b'{"id": "e", "summary_text": "no text field"}\n'
        b'{"id": "f", "description": "   "}\n'
        b'{"id": "g", "description": "Typing"}\n'
    )
    items = read(data, "postings.jsonl")
    assert [type(p).__name__ for p in items] == [
        "Posting", "RowError", "Posting", "RowError", "RowError", "RowError", "Posting"]
    assert [p.row for p in items] == [1, 2, 3, 4, 5, 6, 7]
    assert items[1].message.startswith("line 2: not valid JSON")
    assert "JSON object" in items[3].message
    assert items[4].id == "e" and "'description' or 'text'" in items[4].message
    assert items[5].id == "f" and "empty" in items[5].message
    assert [(p.id, p.text) for p in postings(items)] == [
        ("a", "Data entry"), ("c", "Greet patients"), ("g", "Typing")]
    assert (items[0].title, items[0].company) == ("Clerk", "Acme")


def test_jsonl_text_instead_of_description():
    data = b'{"text": "Data entry", "job_title": "Clerk", "employer": "Acme"}\n'
    (p,) = read(data, "x.jsonl")
    assert (p.text, p.title, p.company) == ("Data entry", "Clerk", "Acme")


def test_jsonl_fields_may_differ_between_lines():
    data = b'{"id": 1, "description": "Data entry"}\n{"id": 2, "text": "Typing"}\n'
    items = read(data, "x.jsonl")
    assert [(p.id, p.text) for p in items] == [("1", "Data entry"), ("2", "Typing")]


def test_jsonl_ids_fall_back_to_line_numbers():
    data = (b'{"description": "one"}\n\n{"description": "two"}\r\n'
            b'{"id": null, "description": "three"}\n')
    items = read(data, "x.jsonl")
    assert [(p.row, p.id, p.text) for p in items] == [
        (1, "1", "one"), (3, "3", "two"), (4, "4", "three")]


def test_jsonl_with_bom_and_cp1252():
    (p,) = read('\ufeff{"description": "Caf\u00e9 \u00a31"}\n'.encode("utf-8"), "x.jsonl")
    assert p.text == "Caf\u00e9 \u00a31"
    (p,) = read('{"description": "Caf\u00e9 \u00a31"}\n'.encode("cp1252"), "x.jsonl")
    assert p.text == "Caf\u00e9 \u00a31"


def test_jsonl_text_column_override():
    data = b'{"id": "a", "advert": "Data entry", "description": "other"}\n'
    (p,) = read(data, "x.jsonl", text_column="advert")
    assert p.text == "Data entry"


def test_jsonl_preview():
    data = b'{"id": "a", "text": "x"}\nnot json\n{"id": "b", "title": "T", "text": "y"}\n'
    header, mapping, rows = preview(io.BytesIO(data), "p.jsonl")
    assert header == ["id", "text", "title"]
    assert mapping["text"] == "text" and mapping["title"] == "title"
    assert len(rows) == 2
    with pytest.raises(InputError):
        preview(io.BytesIO(b"nothing here\n"), "p.jsonl")


def test_preview_leaves_the_callers_stream_open():
    stream = io.BytesIO(b"id,description\n1,Data entry\n")
    preview(stream, "p.csv")
    assert not stream.closed
    stream.seek(0)
    assert [p.text for p in iter_postings(stream, "p.csv")] == ["Data entry"]


def test_jsonl_preview_and_rows_replace_lone_surrogates():
    data = b'{"id": "a", "description": "Use Epic \\ud800 daily to book clinic appointments"}\n'
    _, _, rows = preview(io.BytesIO(data), "p.jsonl")
    assert rows[0]["description"] == "Use Epic \ufffd daily to book clinic appointments"
    [posting] = list(iter_postings(io.BytesIO(data), "p.jsonl"))
    assert posting.text == "Use Epic \ufffd daily to book clinic appointments"


def test_one_failure_message_for_the_cli_and_the_workers():
    from models.inputs import failure_message

    assert failure_message(ValueError("x")) == "the analysis failed (ValueError)"
    assert failure_message(MemoryError(), 3) == "the analysis failed 3 times (MemoryError)"
