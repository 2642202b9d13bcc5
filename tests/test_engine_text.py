"""Words of a text: the fast tokenizer finds what the token expression finds, offsets included."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from models.parsing import parse_posting
from models.text import SENTENCE_END_RE, TOKEN_RE, Sentences, stem, tokenize

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def by_expression(text: str) -> tuple[list[str], list[int], list[int]]:
    found = list(TOKEN_RE.finditer(text))
    return [m.group() for m in found], [m.start() for m in found], [m.end() for m in found]


@pytest.mark.parametrize("text, words", [
    ("ICD-10 and ICD10 coding", ["ICD", "10", "and", "ICD", "10", "coding"]),
    ("patients' records, patient\u2019s notes", ["patients", "records", "patient\u2019s", "notes"]),
    ("o'neil's 90's 'quoted' rock'n'roll", ["o'neil", "s", "90", "s", "quoted", "rock'n", "roll"]),
    ("caf\u00e9 na\u00efve \u2022 \u00a3100\u00a0pa \U0001F600ok", ["caf", "na", "ve", "100", "pa", "ok"]),
    ("", []),
    ("  \n\t ", []),
])
def test_words_and_offsets(text, words):
    toks = tokenize(text)
    assert toks.words == words
    assert [text[a:b] for a, b in zip(toks.starts, toks.ends, strict=True)] == words
    assert toks.stems == [stem(w) for w in words]


def test_random_text_is_split_as_the_expression_splits_it():
    rng = random.Random(11)
    alphabet = ["a", "Z", "9", "0", " ", "'", "\u2019", "-", "\u00e9", "\u2022", ".", "\n", "\U0001F600",
                "\u00a0", "\ufffd", "x", "\u0130"]
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 14)))
        toks = tokenize(text)
        assert (toks.words, toks.starts, toks.ends) == by_expression(text), repr(text)


def test_real_postings_are_split_as_the_expression_splits_them():
    texts = [json.loads(line)["description"]
             for name in ("devset_nhs.jsonl", "devset_us.jsonl")
             for line in (FIXTURES / name).open(encoding="utf-8")]
    assert len(texts) >= 60
    for raw in texts:
        text = parse_posting(raw).text
        toks = tokenize(text)
        assert (toks.words, toks.starts, toks.ends) == by_expression(text)


def test_sentences_end_where_the_sentence_expression_says():
    """Blocks without a bullet are split by their stops: the same sentences as the full expression."""
    rng = random.Random(12)
    alphabet = ["a", "B", "7", " ", "  ", "\n", ".", "!", "?", ";", ",", "\u2022", '"', "'", "(", "[", "\t"]
    for _ in range(30_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 16)))
        spans = Sentences(text, [(0, len(text))]).within(0, len(text) + 1)
        expected, pos = [], 0
        for m in SENTENCE_END_RE.finditer(text):
            expected.append((pos, m.start()))
            pos = m.end()
        assert spans == [*expected, (pos, len(text))], repr(text)
