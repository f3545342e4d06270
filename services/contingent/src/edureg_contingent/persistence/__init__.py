"""Tables and repositories: all of contingent's SQL lives here."""
