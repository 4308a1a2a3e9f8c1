"""The read side of the allocation service: queries returning rows, and the views the routes answer with."""
