"""The read-model comparison the tests use: the product's own (reporting.consumers.rebuild_diff), as the soak's."""

from reporting.consumers.rebuild_diff import TECHNICAL, differences, table_differences

__all__ = ["TECHNICAL", "differences", "table_differences"]
