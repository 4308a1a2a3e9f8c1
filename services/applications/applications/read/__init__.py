"""The read side: queries returning rows, the membership count and the need snapshot."""
