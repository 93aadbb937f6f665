"""What people take away: result tables in their language (and, to come, the district profile).

Beside :mod:`geo_welfare.maps` in the pipeline: it reads the analyses' answers and the words, and
nothing above it.
"""
