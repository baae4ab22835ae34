"""The package layout as a contract: no module imports a module that imports it back.

The layer order itself is checked by import-linter (`lint-imports`, [tool.importlinter] in
pyproject.toml); this test covers what import-linter's package-level contracts do not: cycles
between single modules, including those through function-level and TYPE_CHECKING imports.
"""

from __future__ import annotations

from pathlib import Path

import grimp

import runai_audit

PACKAGE_DIR = Path(runai_audit.__file__).parent


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    graph = grimp.build_graph("runai_audit", include_external_packages=False)
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycles.append(f"{module} -> {' -> '.join(back)}")
    assert cycles == []


def test_no_module_name_repeats_its_folder_name() -> None:
    repeats = [
        str(path.relative_to(PACKAGE_DIR.parent))
        for path in PACKAGE_DIR.rglob("*.py")
        if path.parent != PACKAGE_DIR and path.stem.startswith(path.parent.name)
    ]
    assert repeats == []
