"""Labelled evaluation corpus (generated with Faker and templates) and its scorer."""
