"""`python -m grants_cli.asyncapi DIR`: generate each worker's AsyncAPI document with `faststream docs gen`."""

import subprocess
import sys
from pathlib import Path

from grants_cli.system import SERVICES


def generate(folder: Path) -> list[Path]:
    """Write `<service>.yaml` for every service from its worker factory; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for svc in SERVICES:
        out = folder / f"{svc}.yaml"
        subprocess.run(["faststream", "docs", "gen", "--factory", "--yaml", "--out", str(out),
                        f"{svc}.worker:create_app"], check=True, capture_output=True)
        written.append(out)
    return written


if __name__ == "__main__":
    for path in generate(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/asyncapi")):
        print(path)
