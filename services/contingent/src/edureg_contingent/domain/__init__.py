"""Pure rules of the movement book: no I/O, no frameworks."""
