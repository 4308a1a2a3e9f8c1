"""`python -m benchmarks [NAME]`: run every benchmark, or one; each prints baseline, result and ratio last."""

import importlib
import pkgutil
import sys
from pathlib import Path


def names() -> list[str]:
    """The benchmark modules in this folder."""
    return sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))


def main(selected: list[str]) -> int:
    """Run the selected benchmarks (all when none are named)."""
    unknown = set(selected) - set(names())
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(names())}")
        return 2
    for name in selected or names():
        print(f"== benchmark {name}")
        importlib.import_module(f"benchmarks.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main([a for a in sys.argv[1:] if a]))
