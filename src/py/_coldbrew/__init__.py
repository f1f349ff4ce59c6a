"""Coldbrew's helpers written in Python (shipped in the standard library zip).

The JavaScript API calls them through the bridge; they are not a public API.
"""
