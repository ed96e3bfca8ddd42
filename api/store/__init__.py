"""The store: tables (`models`), connections (`db`) and schema migrations (`migrate`)."""

from .db import Store, normalise_database_url
from .migrate import downgrade, upgrade

__all__ = ["Store", "downgrade", "normalise_database_url", "upgrade"]
