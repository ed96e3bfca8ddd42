"""The store: connections (`db`), tables (`models`), migrations (`migrate`), the fast read path
(`fastread`), full-text search SQL (`fulltext`), id-list chunking (`chunks`), column checks (`values`).

The only place that tells SQLite and PostgreSQL apart. It raises `quotelens.errors`
(Unavailable, ConfigurationError), never anything HTTP.
"""

from .db import Store, normalise_database_url
from .migrate import downgrade, upgrade

__all__ = ["Store", "downgrade", "normalise_database_url", "upgrade"]
