"""Every ORM model, imported here so that `Base.metadata` knows every table.

Alembic's environment imports this module: autogenerate and `alembic check` see exactly the
tables listed here. A feature that adds a model adds its import below.
"""

from petsage.database.base import Base
from petsage.health.history import HealthEvent

__all__ = ["Base", "HealthEvent"]
