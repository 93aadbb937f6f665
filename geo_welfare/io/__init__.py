"""File input and output: tables and vector files in, layers and HSDS out; no knowledge of what a layer means.

``readers`` (CSV encodings, vector files, CRS, geometry checks), ``crs_fit`` (coordinates that
contradict their declared CRS), ``cells`` (what a text cell may hold; formula cells neutralised in
CSV), ``osm`` (OpenStreetMap files), ``writers`` (GeoPackage, GeoJSON, Shapefile, CSV with BOM),
``hsds`` (Open Referral HSDS 3.0).
"""
