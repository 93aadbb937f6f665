"""File input and output: tables and vector files in, layers and HSDS out; no knowledge of what a layer means.

``readers`` (CSV encodings, vector files, CRS, geometry checks), ``osm`` (OpenStreetMap files),
``writers`` (GeoPackage, GeoJSON, Shapefile, CSV with BOM), ``hsds`` (Open Referral HSDS 3.0).
"""
