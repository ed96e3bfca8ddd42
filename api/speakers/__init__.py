"""Tracked speakers: the in-memory index (`index`), keeping it in step with the store
(`directory`, whose `writing()` every edit goes through), reads and edits (`service`),
statistics (`stats`) and slugs (`slugs`)."""

from .directory import SpeakerDirectory
from .service import SpeakerService

__all__ = ["SpeakerDirectory", "SpeakerService"]
