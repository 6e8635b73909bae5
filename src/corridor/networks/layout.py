"""A lead's network drawn offline: a spring layout computed here, written as inline SVG."""

from __future__ import annotations

from html import escape

import numpy as np

from corridor.networks.neighbourhood import LeadGraph

COLOURS = {"suspect": "#b2182b", "person": "#8c8c8c", "phone": "#2166ac", "address": "#1b7837",
           "sponsor": "#762a83", "document": "#e08214"}  # fmt: skip


GRAVITY = 0.5


def spring_layout(n: int, edges: list[tuple[int, int]], iterations: int = 200) -> np.ndarray:
    """Fruchterman–Reingold positions in [0, 1]², deterministic (starts on a circle)."""
    if n == 0:
        return np.zeros((0, 2))
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pos = np.column_stack([np.cos(angle), np.sin(angle)]) * 0.5
    k = 1.0 / np.sqrt(n)
    src = np.array([a for a, _ in edges], dtype=np.int64)
    dst = np.array([b for _, b in edges], dtype=np.int64)
    temp = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.linalg.norm(delta, axis=2), 1e-3)
        force = (delta / dist[..., None] * (k * k / dist)[..., None]).sum(axis=1)  # repulsion
        if src.size:
            d = pos[src] - pos[dst]
            length = np.maximum(np.linalg.norm(d, axis=1), 1e-3)
            pull = d / length[:, None] * (length * length / k)[:, None]
            np.add.at(force, src, -pull)
            np.add.at(force, dst, pull)
        # gravity: pieces without an edge between them stay near the middle
        force -= pos * (np.linalg.norm(pos, axis=1)[:, None] / k) * GRAVITY
        size = np.maximum(np.linalg.norm(force, axis=1), 1e-9)
        pos += force / size[:, None] * np.minimum(size, temp)[:, None]
        temp *= 0.98
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    return np.asarray((pos - lo) / np.maximum(hi - lo, 1e-9))


def network_svg(graph: LeadGraph, width: int = 640, height: int = 440) -> str:
    """The graph as an SVG string: suspects red, people grey, shared values by kind."""
    index = {node.id: i for i, node in enumerate(graph.nodes)}
    pairs = [(index[e.a], index[e.b]) for e in graph.edges]
    pos = spring_layout(len(graph.nodes), pairs)
    pad, right = 16, 150  # room for the labels on the right of the nodes
    xy = [(pad + x * (width - pad - right), pad + y * (height - 2 * pad)) for x, y in pos]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="network of the lead" class="network">'
    ]
    for (a, b), e in zip(pairs, graph.edges, strict=True):
        dash = ' stroke-dasharray="4 3"' if e.kind == "holds" else ""
        parts.append(
            f'<line x1="{xy[a][0]:.1f}" y1="{xy[a][1]:.1f}" x2="{xy[b][0]:.1f}" '
            f'y2="{xy[b][1]:.1f}" stroke="#bbb"{dash}/>'
        )
    for node, (x, y) in zip(graph.nodes, xy, strict=True):
        r = 7 if node.kind == "suspect" else 4 if node.kind == "person" else 6
        colour = COLOURS.get(node.kind, "#444")
        title = escape(f"{node.kind}: {node.label}")
        shape = (
            f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" '
            f'fill="{colour}"><title>{title}</title></rect>'
            if node.kind not in ("suspect", "person")
            else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}">'
            f"<title>{title}</title></circle>"
        )
        parts.append(shape)
        if node.kind != "person":
            label = escape(node.label if len(node.label) <= 24 else node.label[:22] + "…")
            parts.append(f'<text x="{x + r + 2:.1f}" y="{y + 4:.1f}" font-size="10">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)
