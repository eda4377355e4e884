"""Regional layout (区域布局): the specs of the regions stage (``params/regions.yaml``), the patent-navigation
park list (``params/parks.yaml``) and the ``iplayout peers`` / ``iplayout parks`` commands.

Computation lives in :mod:`iplayout.methods` (peers, targets, specialisation); the stage
(:mod:`iplayout.stages.regions`) reads the database and calls them.
"""
from .parks import Park, load_parks
from .spec import RegionsSpec, load_regions_spec

__all__ = ["Park", "RegionsSpec", "load_parks", "load_regions_spec"]
