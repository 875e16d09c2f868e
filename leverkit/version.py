"""leverkit's version, in a module of its own so that records and setup read it without importing the rest."""
__version__ = "0.2.0"
