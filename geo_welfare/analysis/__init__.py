"""Analyses over the store's layers and the walking network (what coordinators and planners ask)."""
