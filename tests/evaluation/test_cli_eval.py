"""`quotelens eval`: clear errors when data are missing, and it runs from a plain clone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from quotelens import cli
from quotelens.commands import eval as eval_command

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """As in a clone with no ../shared beside it."""
    monkeypatch.setattr(eval_command, "SHARED", tmp_path / "shared")
    return tmp_path


def run_eval(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["eval", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("args, says", [
    (["--tracking"], "--tracking needs the speaker identity gold: pass --gold FILE"),
    (["--tracking", "--gold", "{gold}"], "needs the PolNeAR texts: pass --polnear DIR"),
    (["--tracking", "--gold", "{missing}"], "--gold {missing}: no such file"),
    (["--polnear", "{missing}"], "not a PolNeAR split folder (no text or attributions/ in it)"),
    (["--skip-seeds"], "needs the PolNeAR texts: pass --polnear DIR"),
    (["--seeds-gold", "{missing}"], "--seeds-gold {missing}: no such file"),
    (["--gold", "{gold}"], "--api and --gold go with --tracking"),
    (["--workers", "0"], "--workers and --min-quotes must be at least 1"),
])
def test_missing_data_is_a_clear_error(no_shared: Path, capsys, args: list[str], says: str) -> None:
    gold = no_shared / "gold.jsonl"
    gold.write_text("", "utf-8")
    fill = {"gold": str(gold), "missing": str(no_shared / "missing")}
    code, out, err = run_eval(capsys, *[a.format(**fill) for a in args])
    assert code == 2
    assert err.startswith("quotelens eval: ") and says.format(**fill) in err
    assert "Traceback" not in err and out == ""


def test_help_names_every_argument(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["eval", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--seeds-gold FILE", "--polnear DIR", "--tracking", "--gold FILE", "--api URL", "--worst N"):
        assert flag in out


@pytest.fixture(scope="module")
def plain_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's packages and seeds copied alone: nothing beside them."""
    clone = tmp_path_factory.mktemp("elsewhere") / "quotelens"
    for part in ("attribution", "api", "bot", "quotelens", "seeds"):
        shutil.copytree(PROJECT / part, clone / part, ignore=shutil.ignore_patterns("__pycache__"))
    return clone


def run_clone(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(clone)}
    return subprocess.run([sys.executable, "-m", "quotelens.cli", "eval", *args], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=600)


def test_plain_clone_tracking_asks_for_the_gold(plain_clone: Path) -> None:
    done = run_clone(plain_clone, "--tracking")
    assert done.returncode == 2
    assert "pass --gold FILE" in done.stderr and str(plain_clone.parent / "shared") in done.stderr
    assert "Traceback" not in done.stderr


def test_plain_clone_scores_the_seeds(plain_clone: Path) -> None:
    done = run_clone(plain_clone, "--json", "--no-progress")
    assert done.returncode == 0, done.stderr
    # PolNeAR is not there: said, and the seeds are scored anyway
    assert f"PolNeAR not scored: none at {plain_clone.parent / 'shared'}" in done.stderr
    results = json.loads(done.stdout)
    assert set(results) == {"seeds (quote unit)", "seeds (attribution unit)"}
    seeds = results["seeds (quote unit)"]
    assert (seeds["docs"], seeds["docs_missing_in_pred"], seeds["direct"]["gold"], seeds["all"]["gold"]) == (5, 0, 25, 47)
    assert seeds["direct"]["attribution"][2] >= 0.95  # the README's target for the seeds


ARTICLES = {
    "budget": 'Budget talks resume\n"We will balance the budget this year," said Maria Lopez, the finance minister.\n',
    "plan": 'Budget plan defended\n"The plan is sound," Maria Lopez told reporters on Monday.\n',
    "reply": 'Opposition responds\n"This budget will fail," Tom Baker said on Tuesday.\n',
}
SAID_BY = {"budget": "Maria Lopez", "plan": "Maria Lopez", "reply": "Tom Baker"}


def test_tracking_on_a_small_corpus(tmp_path: Path, capsys) -> None:
    # the real engine, store and app on three articles the engine reads right
    split = tmp_path / "mini"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    rows = []
    for doc, text in ARTICLES.items():
        (split / "text" / f"{doc}.txt").write_text(text, "utf-8")
        start = text.index('"')
        end = text.index('"', start + 1) + 1
        rows.append({"doc": doc, "i": 0, "content": [[start, end]], "entity": SAID_BY[doc], "kind": "person"})
    gold = tmp_path / "identity.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")

    code, out, err = run_eval(capsys, "--tracking", "--polnear", str(split), "--gold", str(gold),
                              "--min-quotes", "1", "--json", "--no-progress")
    assert code == 0, err
    result = json.loads(out)
    assert result["docs_missing"] == []
    rows = {r["entity"]: r for r in result["rows"]}
    assert list(rows) == ["Maria Lopez", "Tom Baker"]
    lopez, baker = rows["Maria Lopez"], rows["Tom Baker"]
    assert (lopez["top_hit"], lopez["right"], lopez["found"], lopez["wrong"]) == ("Maria Lopez", 2, 2, 0)
    assert (baker["top_hit"], baker["right"], baker["found"], baker["wrong"]) == ("Tom Baker", 1, 1, 0)
    assert result["macro_f1"] == result["name_ok"] == 1.0
    assert result["bcubed"] == [1.0, 1.0, 1.0]
