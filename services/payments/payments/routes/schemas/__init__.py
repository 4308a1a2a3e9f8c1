"""The input and output models of the payments API."""
