"""Addresses: the normaliser, the gazetteers as downloaded, and the in-memory matcher (all offline)."""

from geo_welfare.layers.addresses.gazetteer import GazetteerRecord, read_gazetteer, records_from_areas
from geo_welfare.layers.addresses.matcher import MATCH_LEVELS, AddressMatch, Geocoder
from geo_welfare.layers.addresses.normalise import canonical, house_numbers

__all__ = ["AddressMatch", "GazetteerRecord", "Geocoder", "MATCH_LEVELS", "canonical", "house_numbers",
           "read_gazetteer", "records_from_areas"]
