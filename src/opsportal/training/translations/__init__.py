"""Tracks in several languages: translations, their status per language, what learners are served."""
