"""Pure rules of the academic calendar."""
