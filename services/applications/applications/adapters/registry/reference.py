"""A reference data folder as one registry vintage: IoD2019 wards, plus IoD2025 through the bridge when held."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .bridge import METHOD_BRIDGE, Iod2025Layer, read_bridge, ward_iod2025
from .csvread import RegistryFileError
from .model import RegistryImport, SourceFile, Vintage
from .official import load_iod2019, load_iod2025_lsoa21
from .sources import BRIDGE, CNI2019, FILE1, FILE2, FILE6, IOD2025, LAD_REGION_LOOKUP, LSOA_WARD_LOOKUP

REQUIRED = (FILE1, FILE2, FILE6, LSOA_WARD_LOOKUP, LAD_REGION_LOOKUP)
OPTIONAL = (CNI2019, IOD2025, BRIDGE)
SUFFIX_2025 = "+iod2025-lsoa21"


def files_to_read(root: Path) -> list[Path]:
    """The files an import of `root` reads: the required ones and the optional ones present."""
    return [root / name for name in REQUIRED] + [root / name for name in OPTIONAL if (root / name).is_file()]


def load_reference_dir(data_dir: Path | str) -> RegistryImport:
    """IoD2019 + ONS (+ CNI) wards; with the IoD2025 file and the LSOA11 -> LSOA21 lookup, their IoD2025 too.

    The two IoD2025 files come as a pair: one without the other is refused, so a partial folder never loads
    as a vintage that silently lacks what the fund meant to load.
    """
    root = Path(data_dir)
    registry = load_iod2019(root)
    held = {name: (root / name).is_file() for name in (IOD2025, BRIDGE)}
    if not any(held.values()):
        return registry
    if not all(held.values()):
        (missing,) = [name for name, present in held.items() if not present]
        (present,) = [name for name, present in held.items() if present]
        raise RegistryFileError(root / missing, None, f"missing: {present} is held, and the two come as a pair")
    scores = load_iod2025_lsoa21(root)
    bridge, bridge_file = read_bridge(root, {x.code for x in registry.lsoas}, {x.code for x in scores.lsoas})
    by_code = {x.code: x for x in scores.lsoas}
    layer = Iod2025Layer(scores.lsoas, bridge, ward_iod2025(registry.wards, bridge, by_code))
    bridge_source = SourceFile(bridge_file.path.relative_to(root).as_posix(), bridge_file.sha256, len(bridge_file.rows))
    vintage = Vintage.build(
        registry.vintage.name + SUFFIX_2025,
        f"{registry.vintage.method}+{METHOD_BRIDGE}",
        [*registry.vintage.sources, *scores.vintage.sources, bridge_source],
    )
    return replace(registry, vintage=vintage, iod2025=layer)
