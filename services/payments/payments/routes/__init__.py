"""The payments API's routers."""
