"""`quotelens extract`: formats, standard input, bad files, long texts, workers, units, help.

In-process runs share the session's loaded pipeline (the command would load its
own, which takes seconds); one subprocess run checks the real command end to end.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import attribution
from attribution import Extractor
from quotelens.cli import main

DOC_A = "“The bridge will open in May,” Tove Halvorsen said.\nKwame Asante said the budget was balanced.\n"
DOC_B = "“We started late,” Priya Venkataraman said. “But we will finish the harbour on time.”\n"
PARAGRAPHS = [
    "“The bridge will open in May,” Tove Halvorsen said.",
    "Kwame Asante said the budget was balanced.",
    "“We will keep the harbour open,” said Greta Lindqvist, the port director.",
    "Dmitri Volkov warned that the river could flood again.",
]


@pytest.fixture
def shared_pipeline(extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> Extractor:
    """Make the command use the session's extractor instead of loading the model again."""
    monkeypatch.setattr(attribution, "Extractor", lambda model=None, nlp=None: extractor)
    return extractor


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "a": tmp_path / "alpha.txt",
        "b": tmp_path / "beta.txt",
        "empty": tmp_path / "empty.txt",
        "latin1": tmp_path / "latin1.txt",
    }
    paths["a"].write_text(DOC_A, "utf-8")
    paths["b"].write_text(DOC_B, "utf-8")
    paths["empty"].write_bytes(b"")
    paths["latin1"].write_bytes("“Caf\u00e9,” said Ren\u00e9e Dubois.".encode("cp1252"))
    return paths


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def records(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def check_record_offsets(text: str, record: dict) -> None:
    for q in record["quotes"]:
        assert text[q["start"] : q["end"]] == q["text"]
        if q["speaker_start"] is not None:
            assert text[q["speaker_start"] : q["speaker_end"]] == q["mention"]
        if q["cue_start"] is not None:
            assert text[q["cue_start"] : q["cue_end"]] == q["cue"]


# ---------------------------------------------------------------- formats

def test_jsonl_one_line_per_document(shared_pipeline: Extractor, files: dict[str, Path],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["extract", str(files["a"]), str(files["b"])], capsys)
    assert code == 0 and err == ""
    recs = records(out)
    assert [r["doc"] for r in recs] == ["alpha", "beta"]
    check_record_offsets(DOC_A, recs[0])
    check_record_offsets(DOC_B, recs[1])
    alpha = {q["text"]: q for q in recs[0]["quotes"]}
    assert alpha["The bridge will open in May,"]["speaker"] == "Tove Halvorsen"
    assert alpha["The bridge will open in May,"]["kind"] == "direct"
    assert alpha["the budget was balanced"]["speaker"] == "Kwame Asante"
    assert alpha["the budget was balanced"]["kind"] == "indirect"
    for q in recs[0]["quotes"] + recs[1]["quotes"]:
        assert {"start", "end", "text", "kind", "speaker", "speaker_key", "speaker_kind", "mention", "cue",
                "confidence", "group"} <= q.keys()


def test_json_is_one_array(shared_pipeline: Extractor, files: dict[str, Path],
                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["extract", "--format", "json", str(files["a"]), str(files["b"])], capsys)
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list) and [d["doc"] for d in data] == ["alpha", "beta"]
    jsonl = records(run(["extract", str(files["a"]), str(files["b"])], capsys)[1])
    assert data == jsonl


def test_table_has_a_header_and_a_row_per_quote(shared_pipeline: Extractor, files: dict[str, Path],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["extract", "--format", "table", str(files["a"])], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["doc", "speaker", "kind", "quote"]
    assert len(lines) == 1 + len(records(run(["extract", str(files["a"])], capsys)[1])[0]["quotes"])
    bridge = next(line for line in lines if "The bridge will open in May," in line)
    assert "Tove Halvorsen" in bridge and "direct" in bridge and bridge.startswith("alpha")


def test_stdin_with_dash(shared_pipeline: Extractor, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(DOC_A.encode("utf-8")), encoding="utf-8"))
    code, out, _ = run(["extract", "-"], capsys)
    assert code == 0
    [rec] = records(out)
    assert rec["doc"] == "stdin"
    check_record_offsets(DOC_A, rec)
    assert any(q["speaker"] == "Tove Halvorsen" for q in rec["quotes"])


def test_empty_file_has_no_quotes(shared_pipeline: Extractor, files: dict[str, Path],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["extract", str(files["empty"])], capsys)
    assert code == 0 and err == ""
    assert records(out) == [{"doc": "empty", "quotes": []}]


# ---------------------------------------------------------------- bad input

def test_non_utf8_file_is_reported_and_others_still_processed(
    shared_pipeline: Extractor, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["extract", str(files["a"]), str(files["latin1"]), str(files["b"])], capsys)
    assert code != 0
    assert str(files["latin1"]) in err and "UTF-8" in err
    assert [r["doc"] for r in records(out)] == ["alpha", "beta"]


def test_missing_file_is_reported(shared_pipeline: Extractor, files: dict[str, Path], tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.txt"
    code, out, err = run(["extract", str(missing), str(files["a"])], capsys)
    assert code != 0 and str(missing) in err
    assert [r["doc"] for r in records(out)] == ["alpha"]


def test_binary_file_is_reported(shared_pipeline: Extractor, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"abc\x00def")
    code, out, err = run(["extract", str(binary)], capsys)
    assert code != 0 and str(binary) in err and records(out) == []


def test_workers_must_be_positive(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    code, _, err = run(["extract", "--workers", "0", str(files["a"])], capsys)
    assert code == 2 and "--workers" in err


def test_byte_order_mark_offsets_are_into_the_text_as_read(
    shared_pipeline: Extractor, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + DOC_A.encode("utf-8"))
    code, out, _ = run(["extract", str(path)], capsys)
    assert code == 0
    [rec] = records(out)
    assert rec["quotes"]
    check_record_offsets(path.read_bytes().decode("utf-8"), rec)


# ---------------------------------------------------------------- long texts, workers, units

def test_long_text_is_processed_in_pieces(shared_pipeline: Extractor, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    text = "\n\n".join(PARAGRAPHS * 8)
    path = tmp_path / "long.txt"
    path.write_text(text, "utf-8")
    _, whole_out, _ = run(["extract", str(path)], capsys)
    monkeypatch.setattr(shared_pipeline, "chunk_chars", 250)
    monkeypatch.setattr(shared_pipeline.nlp, "max_length", 400)  # spaCy would refuse the whole text
    code, out, err = run(["extract", str(path)], capsys)
    assert code == 0, err
    [rec] = records(out)
    check_record_offsets(text, rec)
    assert len(rec["quotes"]) == 4 * 8
    [whole] = records(whole_out)
    key = [(q["start"], q["end"], q["speaker"]) for q in whole["quotes"]]
    assert [(q["start"], q["end"], q["speaker"]) for q in rec["quotes"]] == key


def test_two_workers_give_the_same_output(shared_pipeline: Extractor, files: dict[str, Path],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(files["a"]), str(files["b"]), str(files["empty"])]
    code1, one, _ = run(["extract", "--workers", "1", *paths], capsys)
    code2, two, _ = run(["extract", "--workers", "2", "--batch-size", "1", *paths], capsys)
    assert code1 == code2 == 0
    assert two == one and len(records(one)) == 3


def test_unit_attribution_merges_parts(shared_pipeline: Extractor, files: dict[str, Path],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    _, per_quote, _ = run(["extract", str(files["b"])], capsys)
    code, out, _ = run(["extract", "--unit", "attribution", str(files["b"])], capsys)
    assert code == 0
    [parts] = records(per_quote)
    [merged] = records(out)
    assert len(parts["quotes"]) == 2
    [one] = merged["quotes"]
    first, second = parts["quotes"]
    assert (one["start"], one["end"]) == (first["start"], second["end"])
    assert one["parts"] == [[first["start"], first["end"]], [second["start"], second["end"]]]
    assert one["speaker"] == "Priya Venkataraman"
    assert one["text"] == f"{first['text']} … {second['text']}"


# ---------------------------------------------------------------- help and the real command

def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: quotelens" in out and "extract" in out


def test_extract_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["extract", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--format", "--workers", "--unit", "--batch-size", "PATH"):
        assert option in out


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([], capsys)
    assert code == 2 and "usage: quotelens" in out


def test_real_command_reads_stdin(tmp_path: Path) -> None:
    """End to end: the installed entry point, its own pipeline, text on standard input."""
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe not text")
    proc = subprocess.run(
        [sys.executable, "-m", "quotelens.cli", "extract", "--format", "jsonl", "-", str(bad)],
        input=DOC_B.encode("utf-8"), capture_output=True, timeout=120,
    )
    assert proc.returncode == 1
    assert str(bad) in proc.stderr.decode("utf-8")
    [rec] = records(proc.stdout.decode("utf-8"))
    assert rec["doc"] == "stdin"
    assert [q["speaker"] for q in rec["quotes"]] == ["Priya Venkataraman", "Priya Venkataraman"]
    check_record_offsets(DOC_B, rec)
