"""The base of the engine's components: one failing document never aborts a batch.

spaCy's own `Pipe.pipe` hands a failing doc to the component's error handler
(`set_error_handler`; by default it re-raises) and then drops the doc. These
components keep it: the doc goes on down the pipeline marked with the failure in
`doc._.attribution_error` (a string, so it survives `nlp.pipe(n_process>1)`),
later quotelens components pass it by, and `attribution.Extractor` reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from spacy.pipeline import Pipe
from spacy.tokens import Doc

__all__ = ["GuardedPipe", "continue_batch", "mark_failed"]

if not Doc.has_extension("attribution_error"):
    Doc.set_extension("attribution_error", default=None)


def mark_failed(doc: Doc, component: str, error: BaseException) -> None:
    """Record on the doc that `component` failed on it (the first failure stays)."""
    if doc._.attribution_error is None:
        doc._.attribution_error = f"{component}: {type(error).__name__}: {error}"


def continue_batch(proc_name: str, proc: Callable[[Doc], Doc], docs: list[Doc], error: Exception) -> None:
    """An error handler that marks the failing docs and lets the batch go on.

    Module-level (not a closure), so a pipeline holding it can be pickled for
    spaCy's worker processes.
    """
    for doc in docs:
        mark_failed(doc, proc_name, error)


class GuardedPipe(Pipe):
    """A component whose failures go to its error handler, one doc at a time."""

    name: str

    def __call__(self, doc: Doc) -> Doc:  # pragma: no cover - each component defines it
        raise NotImplementedError

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Each doc of the stream, processed; a failed one marked and passed on."""
        error_handler: Callable[..., Any] = self.get_error_handler()
        for doc in stream:
            if doc._.attribution_error is not None:
                yield doc  # an earlier quotelens step failed on it: nothing to add
                continue
            try:
                out = self(doc)
            except Exception as exc:
                error_handler(self.name, self, [doc], exc)  # re-raises unless told otherwise
                mark_failed(doc, self.name, exc)
                out = doc
            yield out
