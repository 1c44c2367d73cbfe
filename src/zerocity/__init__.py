"""zerocity: an open platform for cities on the way to net-zero carbon."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zerocity")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
