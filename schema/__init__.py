"""Canonical catalogue, gazetteer and the dataset schema (data files under data/)."""
