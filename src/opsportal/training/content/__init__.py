"""Content standards: SCORM packages played by the portal (and, later, exports and xAPI)."""
