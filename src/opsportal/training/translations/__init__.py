"""Tracks in several languages: translations, their status, what learners are served."""
