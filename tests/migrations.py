"""Moving the test database to chosen migrations, for tests of data migrations."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Apps the test's rows live in stay at their latest state throughout: migrating only the apps
# under test back would otherwise leave the model state behind the tables (e.g. a newer
# organisations column), and creating rows would fail.
KEEP_LATEST = ("accounts", "organisations")


def migrate_to(targets, keep_latest=KEEP_LATEST):
    """Migrate to `targets` (with the apps in `keep_latest` at their latest) and return the apps
    of that state. A test of a migration of one of KEEP_LATEST passes its own `keep_latest`."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = list(targets) + [
        node for node in executor.loader.graph.leaf_nodes() if node[0] in keep_latest
    ]
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    """Migrate every app to its latest migration (put the database back after such a test)."""
    return migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
