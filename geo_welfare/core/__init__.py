"""Foundations every stage may use and that use nothing else of ours: settings, errors, words, glossary, CRS.

``config`` (every setting and environment variable), ``errors`` (one error shape), ``words`` (the
gettext catalogue), ``glossary`` (the Japanese domain words, once), ``crs`` (plane rectangular
zones), ``values`` (cell values as plain Python), ``walking`` (minutes and metres at a pace).
"""
