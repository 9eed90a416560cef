"""Content standards: SCORM packages in and out, xAPI statements to a Learning Record Store."""
