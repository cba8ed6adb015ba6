"""The shape docs/architecture.md promises: no import circles, and the import contracts in pyproject.toml."""
import subprocess
import sys
from pathlib import Path

import grimp

from tests.conftest import ROOT

PACKAGES = ("webapp", "media_worker")


def test_import_contracts_hold():
    r = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


def test_every_webapp_module_is_under_a_contract():
    # The "only adapters import the heavy libraries" contract lists webapp's children by name: a new one must join.
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    listed = set(next(c for c in contracts if "only webapp.adapters" in c["name"])["source_modules"])
    children = {f"webapp.{p.stem if p.is_file() else p.name}" for p in (ROOT / "webapp").iterdir()
                if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())}
    assert children - {"webapp.adapters", "webapp.migrations"} == listed


def circles(graph) -> list[set[str]]:
    """Strongly connected components of more than one module (a module importing its own package is fine)."""
    mods = {m for m in graph.modules if m.split(".")[0] in PACKAGES and ".migrations" not in m}
    edges = {m: {t for t in graph.find_modules_directly_imported_by(m) if t in mods and not m.startswith(t + ".")}
             for m in mods}
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(10_000)
    for m in sorted(mods):
        if m not in index:
            visit(m)
    return out


def test_no_import_circles():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert circles(graph) == []
