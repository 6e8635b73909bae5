"""Smuggling networks: from linked person records to ranked, explained leads.

records + entities (linkage clusters or the simulator's truth) → graph (entities,
shared phones/addresses/documents/sponsors, co-travel) → signals → Leiden
communities → leads with their evidence → evaluation against the truth.
"""
