"""The seed articles against their hand-made gold (`shared/gold/seeds.jsonl`).

Every gold direct and mixed quote must be found at its exact span with the right
speaker, in the seeds as they are and in the seeds with every person renamed
(the engine is also judged on articles about people it has never seen).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from attribution_cases import check_offsets

from attribution import Extractor, Quote, speaker_key

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
GOLD = ROOT.parent / "shared" / "gold" / "seeds.jsonl"

if not GOLD.exists():  # the gold lives in the shared folder beside the repository
    pytest.skip(f"seed gold not found at {GOLD}", allow_module_level=True)

GOLD_DOCS: list[dict[str, Any]] = [json.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line.strip()]

# Every speaker the seed gold names, with the kind the engine must give it.
SPEAKER_KINDS = {
    "Myles B. Caggins III": "person",
    "Kenneth McKenzie": "person",
    "Mustafa al-Kadhimi": "person",
    "Lloyd Austin": "person",
    "Mohammed Shia al-Sudani": "person",
    "Adel Abdul-Mahdi": "person",
    "a senior U.S. defense official": "anonymous",
    "unnamed American military officials": "anonymous",
    "two administration officials": "anonymous",
    "Iraqi officials": "anonymous",
    "administration officials": "anonymous",
    "a senior Defense Department official": "anonymous",
    "a senior administration official": "anonymous",
    "Rewards for Justice Program": "organisation",
    "CENTCOM": "organisation",
}

# Seed people renamed word for word (given names and surnames separately, so
# "Caggins", "Sudani" and "al-Kadhimi" follow their full names).
RENAMES = {
    "Myles": "Dorian", "Caggins": "Whitcombe",
    "Kenneth": "Marcus", "McKenzie": "Ridley",
    "Mustafa": "Karim", "Kadhimi": "Jabouri",
    "Lloyd": "Douglas", "Austin": "Pemberton",
    "Mohammed": "Hamid", "Sudani": "Zubaidi",
    "Adel": "Samir", "Mahdi": "Razzaq",
    "Qassem": "Reza", "Soleimani": "Ghorbani",
}


def rename(text: str, mapping: dict[str, str]) -> tuple[str, Callable[[int], int]]:
    """`text` with whole words replaced, and a function moving old offsets to new ones."""
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, mapping), key=len, reverse=True)) + r")\b")
    shifts: list[tuple[int, int]] = []  # (old end of a replaced word, total shift after it)
    total = 0
    for m in pattern.finditer(text):
        total += len(mapping[m.group(0)]) - len(m.group(0))
        shifts.append((m.end(), total))

    def move(pos: int) -> int:
        delta = 0
        for end, shift in shifts:
            if end > pos:
                break
            delta = shift
        return pos + delta

    return pattern.sub(lambda m: mapping[m.group(0)], text), move


def renamed_doc(doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    text, move = rename((SEEDS / f"{doc['doc']}.txt").read_text("utf-8"), RENAMES)
    quotes = []
    for q in doc["quotes"]:
        q = dict(q)
        for a, b in (("start", "end"), ("speaker_start", "speaker_end")):
            if q.get(a) is not None:
                q[a], q[b] = move(q[a]), move(q[b])
        q["speaker"] = rename(q["speaker"], RENAMES)[0]
        quotes.append(q)
    return text, {"doc": doc["doc"], "quotes": quotes}


def gold_cases(kinds: set[str]) -> list[Any]:
    return [
        pytest.param(doc["doc"], i, id=f"{doc['doc'][:3]}:{q['start']}-{q['end']}:{q['kind']}")
        for doc in GOLD_DOCS
        for i, q in enumerate(doc["quotes"])
        if q["kind"] in kinds
    ]


@pytest.fixture(scope="module")
def seed_results(extractor: Extractor) -> dict[str, tuple[str, dict[str, Any], list[Quote]]]:
    """doc -> (text, gold, quotes) for the seeds as they are."""
    texts = {d["doc"]: (SEEDS / f"{d['doc']}.txt").read_text("utf-8") for d in GOLD_DOCS}
    results = extractor.extract_many(texts.values())
    return {d["doc"]: (texts[d["doc"]], d, quotes) for d, quotes in zip(GOLD_DOCS, results, strict=True)}


@pytest.fixture(scope="module")
def renamed_results(extractor: Extractor) -> dict[str, tuple[str, dict[str, Any], list[Quote]]]:
    """doc -> (text, gold, quotes) for the seeds with every person renamed."""
    docs = {d["doc"]: renamed_doc(d) for d in GOLD_DOCS}
    results = extractor.extract_many(text for text, _ in docs.values())
    return {name: (text, gold, quotes) for (name, (text, gold)), quotes in zip(docs.items(), results, strict=True)}


def right_speaker(q: Quote, gold_speaker: str) -> bool:
    kind = SPEAKER_KINDS[RENAMES_BACK.get(gold_speaker, gold_speaker)]
    return q.speaker is not None and q.speaker.kind == kind and q.speaker.key == speaker_key(gold_speaker, kind)


RENAMES_BACK = {rename(s, RENAMES)[0]: s for s in SPEAKER_KINDS}


def describe_around(quotes: list[Quote], g: dict[str, Any]) -> str:
    near = [q for q in quotes if q.start < g["end"] + 200 and g["start"] - 200 < q.end] or quotes
    return "\n".join(
        f"  [{q.start},{q.end}] {q.kind} {q.text[:60]!r} <- {q.mention!r} = "
        f"{(q.speaker.name, q.speaker.kind, q.speaker.key) if q.speaker else None}"
        for q in near
    )


def check_gold_quote(results: dict, doc: str, index: int) -> None:
    text, gold, quotes = results[doc]
    g = gold["quotes"][index]
    assert text[g["start"] : g["end"]] == g["text"]  # the gold (and the renaming) line up with the text
    found = [q for q in quotes if (q.start, q.end) == (g["start"], g["end"])]
    want = f"gold {g['kind']} {g['text'][:60]!r} by {g['speaker']!r} (mention {g['mention']!r})"
    assert found, f"{want} not found at [{g['start']},{g['end']}]; near it:\n{describe_around(quotes, g)}"
    q = found[0]
    check_offsets(text, q)
    assert right_speaker(q, g["speaker"]), f"{want}: got speaker {q.speaker!r} (mention {q.mention!r})"


@pytest.mark.parametrize("doc, index", gold_cases({"direct", "mixed"}))
def test_seed_quote_found_with_speaker(seed_results: dict, doc: str, index: int) -> None:
    check_gold_quote(seed_results, doc, index)


@pytest.mark.parametrize("doc, index", gold_cases({"direct", "mixed"}))
def test_renamed_seed_quote_found_with_speaker(renamed_results: dict, doc: str, index: int) -> None:
    check_gold_quote(renamed_results, doc, index)


@pytest.mark.parametrize("doc, index", gold_cases({"direct", "mixed"}))
def test_seed_quote_kind(seed_results: dict, doc: str, index: int) -> None:
    """Direct stays direct (a quote-only paragraph may be a continuation); mixed stays mixed."""
    _, gold, quotes = seed_results[doc]
    g = gold["quotes"][index]
    found = [q for q in quotes if (q.start, q.end) == (g["start"], g["end"])]
    assert found, f"gold quote [{g['start']},{g['end']}] not found"
    allowed = {"direct", "continuation"} if g["kind"] == "direct" else {"mixed"}
    assert found[0].kind in allowed, f"{g['text'][:60]!r}: gold {g['kind']}, got {found[0].kind}"


def test_seed_mention_spans_match_the_gold(seed_results: dict) -> None:
    """Where a direct quote's speaker is found, its mention is the gold mention."""
    wrong = []
    for _text, gold, quotes in seed_results.values():
        for g in gold["quotes"]:
            if g["kind"] != "direct":
                continue
            for q in quotes:
                if (q.start, q.end) == (g["start"], g["end"]) and (q.speaker_start, q.speaker_end) != (
                    g["speaker_start"], g["speaker_end"]
                ):
                    wrong.append(f"{g['text'][:40]!r}: mention {q.mention!r}, gold {g['mention']!r}")
    assert not wrong, "\n".join(wrong)


def test_seed_attribution_recall(seed_results: dict) -> None:
    """All gold attributions (indirect too): found (overlapping span) with the right speaker."""
    total, hits, missed = 0, 0, []
    for _text, gold, quotes in seed_results.values():
        for g in gold["quotes"]:
            total += 1
            ok = any(q.start < g["end"] and g["start"] < q.end and right_speaker(q, g["speaker"]) for q in quotes)
            hits += ok
            if not ok:
                missed.append(f"{gold['doc'][:3]} {g['kind']} {g['text'][:50]!r} by {g['speaker']!r}")
    assert hits / total >= 0.85, f"{hits}/{total}; missed:\n" + "\n".join(missed)


def test_renaming_moves_gold_offsets_correctly() -> None:
    text, move = rename("Caggins said “hi” to McKenzie.", {"Caggins": "Whitcombe", "McKenzie": "Ridley"})
    assert text == "Whitcombe said “hi” to Ridley."
    assert text[move(14) : move(16)] == "hi"
    assert text[move(21) : move(29)] == "Ridley"
