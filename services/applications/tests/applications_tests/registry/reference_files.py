"""Where the official files sit inside the reference data folder (the layout of /work/shared/data)."""

ENV = "GRANTS_REFERENCE_DATA_DIR"
IOD2019_FILES = (
    "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv",
    "imd2019/File_2_-_IoD2019_Domains_of_Deprivation.csv",
    "imd2019/File_6_-_IoD2019_Population_Denominators.csv",
    "lookups/ons_lsoa11_ward17_lad17_ew.csv",
    "lookups/ons_lad17_rgn17_en.csv",
)
CNI_FILE = "cni_left_behind/cni2019_england_ward17.csv"
DERIVED_FILE = "cni_left_behind/left_behind_wards_2019_225_DERIVED.csv"
IOD2025_FILE = "imd2025/imd2025_england_lsoa21.csv"
