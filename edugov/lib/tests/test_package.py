import ast
from pathlib import Path

LIB = Path(__file__).resolve().parent.parent


def test_the_library_imports_nothing_from_django() -> None:
    offenders = []
    for path in LIB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {name}" for name in names if name.split(".")[0] in {"django", "rest_framework"}
            ]
    assert offenders == []
