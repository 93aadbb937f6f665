"""geo-welfare: service areas and community-resource maps for Japanese community welfare.

Data flows one way: files → ``layers`` (validated frames) → ``geo_welfare.store`` →
analysis → map / report / web.  The modules at the top of this package (``settings``,
``errors``, ``i18n``, ``crs``) depend on nothing else of ours, so every stage may use them.
"""

__version__ = "0.1.0"
