"""The map's projection: equirectangular (plate carrée), the world 720 x 360 map units.

One unit is half a degree; x grows eastwards from 180° W, y southwards from 90° N. The land outline
(static/places/land-110m.svg, made by `make map-data` from Natural Earth via npm `world-atlas`) is
drawn with the same function, so the cities fall on it.
"""

MAP_WIDTH = 720
MAP_HEIGHT = 360


def project(longitude, latitude):
    """(longitude, latitude) in degrees -> (x, y) in map units. Raises ValueError off the globe."""
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise ValueError(f"not a point on Earth: {longitude}, {latitude}")
    return (longitude + 180) * MAP_WIDTH / 360, (90 - latitude) * MAP_HEIGHT / 180
