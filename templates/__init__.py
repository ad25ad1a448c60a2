"""Jinja2 templates of the generated package, shipped as package data."""
