"""Environmentally extended input-output model: the public interface of :mod:`zerocity.brain.io`.

Re-exports everything in :mod:`zerocity.brain.io` (the implementation is split into a subpackage
by concern: table, footprint, price, cap, regional, nbs, inputs, demo). See docs/io_model.md.
"""

from zerocity.brain.io import *  # noqa: F403
from zerocity.brain.io import __all__ as __all__
