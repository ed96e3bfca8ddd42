"""Loaders for `ProcessEngine` in tests: called by name in the engine's child process.

`sleeper` answers at once unless the text asks otherwise: "sleep N ..." sleeps N seconds
first (a text the engine reads slowly), "exit" ends the process midway (a crash), "bad
input" is the engine's InputError and "raise" an unexpected error. Each answer is one quote
spanning the text (so a test sees the answer came from the child).
"""

from __future__ import annotations

import os
import time

from attribution.errors import InputError, PipelineNotFound
from attribution.records import Quote


class Sleeper:
    def extract(self, text: str) -> list[Quote]:
        if text.startswith("sleep "):
            time.sleep(float(text.split()[1]))
        elif text == "exit":
            os._exit(3)
        elif text == "bad input":
            raise InputError("the engine cannot read this text")
        elif text == "raise":
            raise LookupError("secret internal detail")
        return [Quote(start=0, end=len(text), text=text, kind="direct", confidence=0.123456)]


def sleeper(model: str) -> Sleeper:
    return Sleeper()


def missing_pipeline(model: str) -> Sleeper:
    raise PipelineNotFound(f"no such pipeline {model or 'xx_missing'!r}")
