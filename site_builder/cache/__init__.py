"""What lets a build skip work: two kinds of keys, and the file that keeps parsed documents.

- ``parse_cache``: a parse key per source file (tool version, parse settings, path, bytes) and the
  ``ParseCache`` that keeps each parsed document under its key in one signed file between builds.
  ``payload``, ``encode`` and ``decode`` are that file's MessagePack contents, written and read
  with the exact type of every value checked.
- ``keys``: a route key per output (global key, template, the route's context and the digests of
  the documents it declares as input), and the build fingerprint a no-change build stops at.

Callers import from the submodules; this package re-exports nothing.
"""
