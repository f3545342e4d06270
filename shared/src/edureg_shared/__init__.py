"""edureg's shared library. A library, not a framework: no domain code lives here."""
