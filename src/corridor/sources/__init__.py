"""Connectors: one folder per agency publication, registered in ``registry``."""
