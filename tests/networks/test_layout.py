"""The lead's drawing: a deterministic layout inside the frame, valid SVG, escaped labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

from corridor.networks.layout import network_svg, spring_layout
from corridor.networks.neighbourhood import Edge, LeadGraph, Node


def test_layout_is_deterministic_and_in_the_unit_square() -> None:
    edges = [(0, 1), (1, 2), (2, 0), (3, 4)]  # a triangle and a separate pair
    a, b = spring_layout(5, edges), spring_layout(5, edges)
    assert np.array_equal(a, b)
    assert a.min() >= 0 and a.max() <= 1
    # linked nodes end up closer than unlinked ones on average
    d = np.linalg.norm(a[:, None] - a[None, :], axis=2)
    assert d[0, 1] < d[0, 3] and d[3, 4] < d[3, 0]


def test_svg_is_valid_and_labels_are_escaped() -> None:
    g = LeadGraph(
        [Node("P1", "suspect", "P1"), Node("P2", "person", "P2"),
         Node("v|address|<b>&", "address", "1 <Main> St & Co")],
        [Edge("P1", "P2", "cotravel"), Edge("P2", "v|address|<b>&", "holds")],
    )  # fmt: skip
    svg = network_svg(g)
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag.endswith("svg")
    assert "<Main>" not in svg and "&lt;Main&gt;" in svg
    assert svg.count("<circle") == 2 and svg.count("<rect") == 1 and svg.count("<line") == 2
    assert 'stroke-dasharray="4 3"' in svg  # "gave the value" is dashed


def test_empty_graph() -> None:
    assert network_svg(LeadGraph([], [])).endswith("</svg>")
