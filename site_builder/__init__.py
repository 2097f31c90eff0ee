"""site-builder: a static site generator for teams that work in the open."""

__version__ = "0.1.0"
