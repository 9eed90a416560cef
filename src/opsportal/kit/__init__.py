"""Small helpers every domain may use: downloads, fonts, elected jobs, CSV safety, progress,
query filters, sealed secrets.

The kit imports no domain (an import-linter contract holds it), so any domain can
lean on it without tying itself to another.
"""
