"""`python -m grants_cli.asyncapi DIR`: generate each worker's AsyncAPI document with `faststream docs gen`."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from grants_cli.system import SERVICES


def generate(folder: Path) -> list[Path]:
    """Write `<service>.yaml` for every service from its worker factory; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    scratch = tempfile.mkdtemp(prefix="asyncapi-")  # building a worker may touch its database: keep var/ clean
    env = {
        **os.environ,
        "GRANTS_CONSUMER_ID": "documented",
        "GRANTS_VAR_DIR": scratch,
        "REDIS_URL": "redis://127.0.0.1:6380/0",
    }
    for svc in SERVICES:
        out = (folder / f"{svc}.yaml").resolve()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "faststream",
                "docs",
                "gen",
                "--factory",
                "--yaml",
                "--out",
                str(out),
                f"{svc}.worker:create_app",
            ],
            check=True,
            capture_output=True,
            env=env,
        )
        canonicalise(out)
        written.append(out)
    return written


def canonicalise(path: Path) -> None:
    """Sort channels, operations, messages and schemas by name: the generator's order changes from run to run."""
    import yaml  # the `faststream docs gen --yaml` step needs PyYAML already

    document = yaml.safe_load(path.read_text())
    for section in ("channels", "operations"):
        document[section] = dict(sorted(document.get(section, {}).items()))
    components = document.get("components", {})
    for section in ("messages", "schemas"):
        components[section] = dict(sorted(components.get(section, {}).items()))
    add_examples(components["messages"])
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


def add_examples(messages: dict[str, Any]) -> None:
    """Give every message an example envelope of the event its stream carries (grants_cli.event_examples)."""
    from grants_cli.event_examples import example_envelope
    from grants_shared.events import BY_STREAM

    for name, message in messages.items():
        event = BY_STREAM[stream_of_message(name)]
        summary = (event.__doc__ or event.event_type).strip().splitlines()[0]
        message["examples"] = [{"name": event.event_type, "summary": summary, "payload": example_envelope(event)}]


def stream_of_message(name: str) -> str:
    """The stream a message name documents: `grants.x.y.v1:Message`, or `group:grants.x.y.v1:SubscribeMessage`."""
    return next(part for part in name.split(":") if part.startswith("grants."))


if __name__ == "__main__":
    for path in generate(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/asyncapi")):
        print(path)
