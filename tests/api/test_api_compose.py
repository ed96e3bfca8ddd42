"""docker-compose.yml: the services, their order and health checks (no Docker engine runs here).

When a compose CLI is installed (`docker compose` or Debian's `docker-compose`),
`config` must accept the file as well.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_order_and_health() -> None:
    doc = compose()
    services = doc["services"]
    assert set(services) == {"postgres", "migrate", "api", "bot", "redis", "worker"}
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "pgdata" in doc["volumes"] and any("pgdata:" in v for v in services["postgres"]["volumes"])
    assert services["migrate"]["restart"] == "no" and "--migrate-only" in services["migrate"]["command"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    api = services["api"]
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert api["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "/ready" in " ".join(api["healthcheck"]["test"])
    assert api["environment"]["QUOTELENS_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert api["environment"]["QUOTELENS_REDIS_URL"] == "redis://redis:6379/0"
    worker = services["worker"]
    assert worker["command"][:2] == ["quotelens", "worker"] and "ports" not in worker  # scalable: --scale worker=N
    assert worker["environment"]["QUOTELENS_REDIS_URL"] == api["environment"]["QUOTELENS_REDIS_URL"]
    assert worker["environment"]["QUOTELENS_DATABASE_URL"] == api["environment"]["QUOTELENS_DATABASE_URL"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "ping" in " ".join(services["redis"]["healthcheck"]["test"])
    bot = services["bot"]
    assert bot["environment"]["QUOTELENS_API_URL"] == "http://api:8000"
    assert "QUOTELENS_DATABASE_URL" not in bot["environment"]  # the bot talks HTTP only
    assert bot["depends_on"]["api"]["condition"] == "service_healthy"


def test_compose_cli_accepts_the_file_when_installed() -> None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        cmd = ["docker", "compose"]
    elif shutil.which("docker-compose"):
        cmd = ["docker-compose"]
    else:
        cmd = None
    if cmd is None:
        # Nothing to run; the structural test above still holds.
        return
    result = subprocess.run([*cmd, "--profile", "bot", "config", "-q"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
