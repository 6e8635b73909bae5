"""Monthly aggregates written by ``corridor synth`` (simulated data, sources ``synth.*``)."""

from corridor.sources.synth_flows.connector import SYNTH_SOURCES

#: found by ``registry`` (every connector package exports this tuple)
CONNECTORS = SYNTH_SOURCES

__all__ = ["CONNECTORS"]
