"""Read back what Graphviz drew: the SVG's nodes, edges and clusters with their texts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

NS = "{http://www.w3.org/2000/svg}"


@dataclass
class Picture:
    """``{element id: [its text lines]}`` for each kind of element of a Graphviz SVG."""

    nodes: dict[str, list[str]]
    edges: dict[str, list[str]]
    clusters: dict[str, list[str]]
    fills: dict[str, str]  # node id -> fill colour of its shape
    ends: dict[str, tuple[str, str]]  # edge id -> (tail node id, head node id)
    boxes: dict[str, tuple[float, float, float, float]]  # cluster id -> (x0, y0, x1, y1)
    anchors: dict[str, tuple[float, float]]  # node id -> where its first text line is

    def node_with(self, *lines: str) -> str:
        """The id of the one node whose text has all ``lines``."""
        (found,) = [k for k, texts in self.nodes.items() if set(lines) <= set(texts)]
        return found

    def inside(self, node: str, cluster: str) -> bool:
        """Whether Graphviz put ``node`` (its first text line) inside ``cluster``'s outline."""
        x, y = self.anchors[node]
        x0, y0, x1, y1 = self.boxes[cluster]
        return x0 <= x <= x1 and y0 <= y <= y1


def read(svg: str) -> Picture:
    root = ET.fromstring(svg[svg.index("<svg") : svg.index("</svg>") + 6])
    kinds: dict[str, dict[str, list[str]]] = {"node": {}, "edge": {}, "cluster": {}}
    fills, ends, boxes, anchors = {}, {}, {}, {}
    for el in root.iter(f"{NS}g"):
        kind, eid = el.get("class"), el.get("id")
        if kind not in kinds:
            continue
        texts = list(el.iter(f"{NS}text"))
        kinds[kind][eid] = [t.text or "" for t in texts]
        shape = next(s for s in el.iter() if s.tag in (f"{NS}path", f"{NS}ellipse", f"{NS}polygon"))
        if kind == "node":
            fills[eid] = shape.get("fill")
            anchors[eid] = (float(texts[0].get("x")), float(texts[0].get("y")))
        elif kind == "edge":
            tail, head = el.find(f"{NS}title").text.split("->")
            ends[eid] = (tail, head)
        else:  # a cluster's outline: a path of ``M x,y C x,y ...`` or a polygon's points
            numbers = [
                float(v) for v in re.findall(r"-?[\d.]+", shape.get("d") or shape.get("points"))
            ]
            xs, ys = numbers[0::2], numbers[1::2]
            boxes[eid] = (min(xs), min(ys), max(xs), max(ys))
    return Picture(kinds["node"], kinds["edge"], kinds["cluster"], fills, ends, boxes, anchors)
