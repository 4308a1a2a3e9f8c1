"""The read-model comparison the tests use: the product's own (reporting.consumers.rebuild_diff), so the soak compares alike."""

from reporting.consumers.rebuild_diff import TECHNICAL, differences, table_differences

__all__ = ["TECHNICAL", "differences", "table_differences"]
