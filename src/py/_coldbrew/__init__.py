"""Coldbrew's helpers written in Python (shipped in the standard library zip).

The JavaScript API calls them through the bridge; they are not a public API.
`host` is the JS API's services object (HTTP requests, the Promise queue of
asyncio), set once by load().
"""

host = None


def set_host(services, table_modules=()):
    global host
    import Coldbrew
    host = Coldbrew._pin_variable(services)   # not released by destroy_all_variables()
    import sys
    from . import stdlib_bundles   # first: the stdlib modules left out of the core zip come through it
    core = next((p for p in sys.path if p.endswith(".zip")), None)
    if core:
        stdlib_bundles.install(core)
    stdlib_bundles.install_tables(list(table_modules))
    from . import process
    process.install()
