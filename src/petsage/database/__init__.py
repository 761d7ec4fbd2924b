"""The data layer: async engines (embedded SQLite or PostgreSQL), sessions, migrations.

Import the submodules by name (`petsage.database.engine`, `.session`, `.migrate`, `.preflight`);
this package itself stays empty so that importing a model does not pull in Alembic.
"""
