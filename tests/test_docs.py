"""The documents a new user reads match what the code does."""
from tests.conftest import ROOT
from webapp.config import SETTINGS


def test_every_setting_is_documented_with_its_default():
    ops = (ROOT / "docs" / "operations.md").read_text()
    for s in SETTINGS:
        assert f"| `PARLEY_{s.name}` | `{s.default}` |" in ops, f"PARLEY_{s.name} is missing from docs/operations.md"


def test_readme_opens_with_the_two_commands():
    lines = [ln for ln in (ROOT / "README.md").read_text().splitlines() if ln.startswith("make ")]
    assert [ln.split()[1] for ln in lines[:2]] == ["run", "test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
