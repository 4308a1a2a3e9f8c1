"""Settings of the 360Giving publication: the fund's identifier prefix, its org-id, where the standard's files are."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

STANDARD_FOLDER = "360giving"  # inside GRANTS_REFERENCE_DATA_DIR, laid out as the standard's own repository


class PublicationSettings(BaseSettings):
    """What the publication reads from the environment (REPORTING_360GIVING_*, GRANTS_REFERENCE_DATA_DIR)."""

    model_config = SettingsConfigDict(env_prefix="REPORTING_360GIVING_", extra="ignore")

    prefix: str = Field(
        "360G-CWF",
        pattern=r"^360G-[A-Za-z0-9_-]+$",
        description="The fund's 360Giving identifier prefix (registered with 360Giving): every grant id starts so.",
    )
    funder_org_id: str | None = Field(
        None, description="The fund's org-id (e.g. GB-CHC-...); default: the prefix, as 360Giving allows."
    )
    funder_name: str = Field("Community Wealth Fund", description="The fund's name as published.")
    schema_dir: Path | None = Field(
        None,
        description="The folder of the 360Giving schema and codelists; default: GRANTS_REFERENCE_DATA_DIR/360giving.",
    )
    reference_data_dir: Path | None = Field(None, validation_alias="GRANTS_REFERENCE_DATA_DIR")

    def funder_id(self) -> str:
        """The funder's org-id as published."""
        return self.funder_org_id or self.prefix

    def standard_dir(self) -> Path | None:
        """Where the schema and codelists are, or None when neither setting names a folder."""
        if self.schema_dir is not None:
            return self.schema_dir
        return self.reference_data_dir / STANDARD_FOLDER if self.reference_data_dir is not None else None
