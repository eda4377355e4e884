"""Pure evaluation methods (numpy / pandas / scipy only; no I/O, no YAML, no database).

Families share a prefix and a signature and are picked by name through the registries
below (COINr style): ``normalise_*``, ``weights_*``, ``score_*``.
"""
from .normalise import NORMALISERS
from .scores import SCORERS
from .weights import WEIGHTERS

__all__ = ["NORMALISERS", "SCORERS", "WEIGHTERS"]
