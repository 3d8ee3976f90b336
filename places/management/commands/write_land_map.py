"""Write static/places/land-110m.svg, the map's land outline, from Natural Earth's 110m land.

The data comes from npm `world-atlas` 2.0.2 (ISC licence; Natural Earth, public domain), installed by
`npm ci` as a dev dependency; the SVG it writes is committed, so serving the portal needs neither npm
nor the network. Run by `make map-data`. TopoJSON is decoded here (about 20 lines: delta-encoded,
quantized arcs) because no kept Python package reads TopoJSON without bringing a GIS stack.
"""

import json
from itertools import pairwise
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from places.projection import MAP_HEIGHT, MAP_WIDTH, project

SOURCE = Path(settings.BASE_DIR) / "node_modules" / "world-atlas" / "land-110m.json"
TARGET = Path(settings.BASE_DIR) / "static" / "places" / "land-110m.svg"


def decode_arcs(topology):
    """The topology's arcs as lists of (longitude, latitude), undoing quantization and delta coding."""
    (scale_x, scale_y), (shift_x, shift_y) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_points(ring, arcs):
    """A ring (arc indexes; ~i is arc i reversed) as one list of points, shared ends once."""
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def land_path(topology):
    """The SVG path data of every polygon of the land object, in map units (places.projection)."""
    arcs = decode_arcs(topology)
    commands = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for ring in polygon:
                for piece in split_at_antimeridian(ring_points(ring, arcs)):
                    xy = [project(max(-180, min(180, lon)), max(-90, min(90, lat))) for lon, lat in piece]
                    commands.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
    return "".join(commands)


def split_at_antimeridian(points):
    """Cut a ring where it jumps across 180° (Russia, Fiji, Antarctica), so that no edge is drawn
    across the whole map; each piece is closed along the map's edge when filled."""
    pieces = [[points[0]]]
    for previous, point in pairwise(points):
        if abs(point[0] - previous[0]) > 180:
            pieces.append([])
        pieces[-1].append(point)
    return [piece for piece in pieces if len(piece) > 2]


class Command(BaseCommand):
    help = "Write static/places/land-110m.svg from npm world-atlas (Natural Earth 110m land)."

    def handle(self, *args, **options):
        try:
            topology = json.loads(SOURCE.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"{SOURCE} is missing: run `npm ci` first ({error})") from error
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}">'
            "<!-- Natural Earth 110m land (public domain), via npm world-atlas 2.0.2 (ISC) -->"
            f'<rect width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="#dcebf5"/>'
            f'<path fill="#c9c3b4" stroke="#8f8877" stroke-width="0.4" d="{land_path(topology)}"/></svg>\n'
        )
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        TARGET.write_text(svg, encoding="utf-8")
        self.stdout.write(f"Wrote {TARGET} ({len(svg)} bytes)")
