"""What each layer kind is: its schema and how it is read from the formats municipalities publish.

Every importer here turns a file into a validated GeoDataFrame (lon/lat, EPSG:6668) or raises
:class:`geo_welfare.core.errors.InputError` naming file, row and field; none of them writes to the
store, so an import can be checked completely before one row is stored.
"""
