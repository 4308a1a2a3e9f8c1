"""The fund's grants published in the 360Giving Data Standard: a JSON package, flat CSV and XLSX, and a validator."""
