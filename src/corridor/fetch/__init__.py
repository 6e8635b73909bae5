"""Downloading the agencies' current publications (``corridor fetch``)."""

from corridor.fetch.fetcher import Fetched, fetch, fetchable, mirrored
from corridor.fetch.http import USER_AGENT, Client, FetchError

__all__ = ["USER_AGENT", "Client", "FetchError", "Fetched", "fetch", "fetchable", "mirrored"]
