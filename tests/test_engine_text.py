"""Words and sentences of a text, with their offsets."""

from __future__ import annotations

import pytest

from models.text import Sentences, stem, tokenize


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


@pytest.mark.parametrize("text, sentences", [
    ("Greet patients. Book appointments! Answer calls", ["Greet patients.", "Book appointments!", "Answer calls"]),
    ("Type 60 wpm. 2 years of experience. (Preferred)", ["Type 60 wpm.", "2 years of experience.", "(Preferred)"]),
    ("Duties \u2022 filing \u2022 scanning", ["Duties", "filing", "scanning"]),
    ("a.b c; D", ["a.b c;", "D"]),
    ("", [""]),
])
def test_sentences(text, sentences):
    spans = Sentences(text, [(0, len(text))]).within(0, len(text) + 1)
    assert [text[a:b] for a, b in spans] == sentences
