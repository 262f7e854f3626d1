"""Detectors: one module per entity family, registered through entry points."""
