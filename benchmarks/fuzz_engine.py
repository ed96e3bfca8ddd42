"""Hypothesis over the engine (`attribution.Extractor`, as `quotelens extract` runs it) with hostile text.

Arbitrary Unicode (lone surrogates included), unbalanced and nested quotation
marks of every kind, NBSP and control characters, CRLF, and paragraphs longer
than a chunk. For every text: no exception, and every quote's spans lie inside
the text and spell what the quote reports (content, speaker mention, cue).

    uv run python benchmarks/fuzz_engine.py --examples 500 [--seed N] [--huge 200000]

prints, per strategy, the texts run, the time and the failures (with the text
that failed, shortened). The test suite runs the same strategies with few
examples (tests/attribution/test_engine_fuzz.py).
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MARKS = ["“", "”", "„", "‟", "«", "»", "‹", "›", '"', "'", "‘", "’", "‚", "「", "」", "『", "』", "〝", "〞", "＂"]
PAIRS = [("“", "”"), ("„", "“"), ("„", "”"), ("«", "»"), ("»", "«"), ("‹", "›"), ('"', '"'), ("'", "'"),
         ("‘", "’"), ("「", "」"), ("『", "』"), ("“", ""), ("", "”"), ("“", "“"), ("”", "“"), ("«", "”")]
WORDS = ["said", "told", "says", "added", "according to", "warned", "he", "she", "they", "the official",
         "Gen. Kenneth McKenzie", "McKenzie", "Mohammed Shia al Sudani", "al-Sudani", "Reuters", "that", "the",
         "troops", "will", "stay", "not", "it’s", "U.S.", "Mr.", "Dr.", "and", "who", "—", ",", "."]
ODD_CHARS = ["\u00a0", "\u2009", "\u202f", "\u200b", "\u200d", "\ufeff", "\u2028", "\u2029", "\x85", "\x0b",
             "\x0c", "\x1c", "\x1d", "\x1e", "\x00", "\x07", "\x1b", "\x7f", "\r", "\r\n", "\n", "\t",
             "\u0301", "\u202e", "\ufffd", "\U0001f600", "\ud800", "\udfff", "\U0010ffff"]



def chars(surrogates: bool) -> st.SearchStrategy[str]:
    """Any code point; lone surrogates only when asked."""
    return st.characters(exclude_categories=() if surrogates else ("Cs",))


def fragments(surrogates: bool) -> st.SearchStrategy[str]:
    odd = [c for c in ODD_CHARS if surrogates or not any("\ud800" <= ch <= "\udfff" for ch in c)]
    return st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(MARKS),
        st.sampled_from(odd),
        st.text(chars(surrogates), max_size=6),
        st.sampled_from([" ", " ", " ", ", ", ". ", "\n\n"]),
    )


@st.composite
def nested_marks(draw: st.DrawFn) -> str:
    """Quotations inside quotations, some never closed, some closed twice, in any mark."""

    def quoted(depth: int) -> str:
        words = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=0, max_size=6)))
        opener, closer = draw(st.sampled_from(PAIRS))
        inner = quoted(depth - 1) if depth > 0 and draw(st.booleans()) else ""
        return opener + words + (" " + inner + " " if inner else "") + draw(st.sampled_from(WORDS)) + closer

    parts = [quoted(draw(st.integers(0, 4))) + draw(st.sampled_from([" he said.", ", McKenzie said. ", " ", ""]))
             for _ in range(draw(st.integers(1, 6)))]
    joiner = draw(st.sampled_from([" ", "\n", "\n\n", "\r\n", "\u00a0", "\u2029"]))
    return joiner.join(parts)


def long_paragraph(chars: int) -> str:
    """One paragraph (no line break) of about `chars` characters of quoted sentences, some marks unbalanced."""
    sentences = [
        "“We will stay,” Gen. Kenneth McKenzie said.",
        "Mohammed Shia al Sudani said that “the justifications are no longer there.",
        "« Nous restons », a déclaré le ministre.",
        "„Wir bleiben“, sagte Müller.",
        "「撤退しない」と大臣は述べた。",
        "The official\u00a0said ‘no’ and left.",
        "He added: \"it’s over",
    ]
    out: list[str] = []
    size = 0
    i = 0
    while size < chars:
        s = sentences[i % len(sentences)]
        out.append(s)
        size += len(s) + 1
        i += 1
    return " ".join(out)[:chars]


def check_extraction(text: str, quotes: list[Any]) -> None:
    """Every span inside `text` and spelling what the quote reports; records round-trip."""
    from attribution import Quote

    n = len(text)
    for q in quotes:
        assert 0 <= q.start <= q.end <= n, ("quote span outside the text", q.start, q.end, n)
        assert text[q.start : q.end] == q.text, ("quote text differs from its span", q.start, q.end)
        if q.speaker_start is not None or q.speaker_end is not None:
            assert q.speaker_start is not None and q.speaker_end is not None
            assert 0 <= q.speaker_start <= q.speaker_end <= n, ("speaker span outside", q.speaker_start, n)
            assert text[q.speaker_start : q.speaker_end] == q.mention, "mention differs from its span"
        if q.cue_start is not None or q.cue_end is not None:
            assert q.cue_start is not None and q.cue_end is not None
            assert 0 <= q.cue_start <= q.cue_end <= n, ("cue span outside", q.cue_start, n)
            assert text[q.cue_start : q.cue_end] == q.cue, "cue differs from its span"
        assert 0.0 <= q.confidence <= 1.0
        assert Quote.from_dict(q.to_dict()) == q


def build_strategies(surrogates: bool = True) -> dict[str, st.SearchStrategy[str]]:
    """The hostile texts, by name."""
    news_like = st.lists(fragments(surrogates), max_size=80).map("".join)
    return {
        "any_unicode": st.text(chars(surrogates), max_size=300),
        "news_like": news_like,
        "nested_marks": nested_marks(),
        "many_paragraphs": st.lists(st.one_of(nested_marks(), news_like), min_size=2, max_size=8).map("\n".join),
    }


@dataclass
class EngineReport:
    texts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (strategy, text, error)

    def summary(self) -> str:
        lines = [f"{'strategy':18} {'texts':>6} {'failed':>6} {'seconds':>8}"]
        for name, count in self.texts.items():
            failed = sum(1 for f in self.failures if f[0] == name)
            lines.append(f"{name:18} {count:6} {failed:6} {self.seconds[name]:8.1f}")
        lines.append(f"{sum(self.texts.values())} texts, {len(self.failures)} failures, "
                     f"{sum(self.seconds.values()):.1f} s")
        for name, text, error in self.failures[:20]:
            lines += ["", f"FAILED [{name}] text={text[:300]!r}{'…' if len(text) > 300 else ''} (len {len(text)})",
                      error.strip()]
        return "\n".join(lines)


def run_engine_fuzz(extractor: Any, *, examples: int, seed: int | None = None, huge: int = 200_000,
                    surrogates: bool = True, log: Callable[[str], None] | None = None) -> EngineReport:
    """Each strategy `examples` times through `extractor`, plus one paragraph of `huge` characters."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    from attribution import Extractor

    report = EngineReport()

    def attempt(name: str, text: str, run: Callable[[str], list[Any]]) -> None:
        report.texts[name] = report.texts.get(name, 0) + 1
        try:
            check_extraction(text, run(text))
        except Exception:
            report.failures.append((name, text, traceback.format_exc(limit=-3)))

    small_chunks = Extractor(nlp=extractor.nlp)
    small_chunks.chunk_chars = 97  # texts longer than a chunk: pieces cut mid-paragraph
    strategies = build_strategies(surrogates)
    runs: dict[str, Callable[[str], list[Any]]] = {name: extractor.extract for name in strategies}
    runs["many_paragraphs_in_chunks"] = small_chunks.extract
    strategies["many_paragraphs_in_chunks"] = strategies["many_paragraphs"]
    for name, strategy in strategies.items():
        report.texts[name] = 0

        test = given(text=strategy)(_bind(attempt, name, runs[name]))
        test = settings(max_examples=examples, deadline=None, database=None, derandomize=seed is None,
                        suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])(test)
        if seed is not None:
            test = hypothesis_seed(seed)(test)
        started = time.perf_counter()
        test()
        report.seconds[name] = time.perf_counter() - started
        if log:
            log(f"{name:26} {report.texts[name]:6} texts {report.seconds[name]:7.1f} s")
    if huge:
        started = time.perf_counter()
        report.texts["huge_paragraph"] = 0
        attempt("huge_paragraph", long_paragraph(huge), extractor.extract)
        report.seconds["huge_paragraph"] = time.perf_counter() - started
        if log:
            log(f"{'huge_paragraph':26} {huge:,} chars {report.seconds['huge_paragraph']:7.1f} s")
    return report


def _bind(attempt: Callable[[str, str, Callable[[str], list[Any]]], None], name: str,
          run: Callable[[str], list[Any]]) -> Callable[[str], None]:
    def body(text: str) -> None:
        attempt(name, text, run)

    return body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--examples", type=int, default=300, help="texts per strategy (default 300)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: derandomized, repeatable)")
    parser.add_argument("--huge", type=int, default=200_000, help="characters of the one-paragraph text (0: skip)")
    parser.add_argument("--no-surrogates", action="store_true",
                        help="leave lone surrogates out (the engine raises UnicodeEncodeError on them for now)")
    args = parser.parse_args(argv)

    from attribution import Extractor

    started = time.perf_counter()
    extractor = Extractor()
    report = run_engine_fuzz(extractor, examples=args.examples, seed=args.seed, huge=args.huge,
                             surrogates=not args.no_surrogates,
                             log=lambda line: print(line, file=sys.stderr, flush=True))
    print(report.summary())
    print(f"total {time.perf_counter() - started:.1f} s (with pipeline load)")
    return 1 if report.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
