"""Loading the indicator catalogue: the JSON file shipped beside this module, or the one a setting names."""

import os
from functools import cache
from pathlib import Path

from reporting.config import Settings
from reporting.domain.indicators import Catalogue

SHIPPED = Path(__file__).with_name("indicator_catalogue.json")


@cache
def load_catalogue(path: Path = SHIPPED) -> Catalogue:
    """The catalogue in `path`, validated (a broken file fails loudly, naming what is wrong)."""
    return Catalogue.model_validate_json(path.read_bytes())


def catalogue() -> Catalogue:
    """The catalogue in force: REPORTING_INDICATOR_CATALOGUE_FILE when set, else the shipped one."""
    named = os.environ.get(SETTING)  # read at each use (cheap), so a changed setting applies without a restart
    return load_catalogue(Path(named) if named else SHIPPED)


SETTING = str(Settings.model_fields["indicator_catalogue_file"].validation_alias)
