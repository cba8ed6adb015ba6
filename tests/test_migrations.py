"""`flask db upgrade` builds the schema the models describe, on SQLite and on PostgreSQL."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, fresh_postgres_database, service_url

FLASK = [sys.executable, "-m", "flask", "--app", "wsgi", "db"]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_upgrade_then_models_match_schema(database, tmp_path: Path):
    env = {**os.environ, "PARLEY_DATA_DIR": str(tmp_path)}
    if database == "postgresql":
        env["PARLEY_DATABASE_URL"] = fresh_postgres_database(service_url("POSTGRES_URL"))
    up = subprocess.run(FLASK + ["upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert up.returncode == 0, up.stderr
    # `db check` fails when the models hold a change no migration describes.
    check = subprocess.run(FLASK + ["check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    down = subprocess.run(FLASK + ["downgrade", "base"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert down.returncode == 0, down.stderr
