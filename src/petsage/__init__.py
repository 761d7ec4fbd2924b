"""PetSage: the wise backend for all your pet's needs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("petsage")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0+unknown"
