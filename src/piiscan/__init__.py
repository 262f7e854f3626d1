"""piiscan: find personal information in shares, exports and databases."""

from importlib import metadata

try:
    __version__ = metadata.version("piiscan")
except metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"
