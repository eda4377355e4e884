"""The package version, on the ground floor so any layer (db.build, stages) can record it without importing
the package's top level."""
__version__ = "0.1.0"
