"""The preview behind ``site-builder serve``: the in-memory site, the HTTP server over it, live reload,
the file watcher and the builder that rebuilds on each edit. Only the ``serve`` command wires them up.
"""
