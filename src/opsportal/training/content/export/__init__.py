"""A native track as a SCORM 1.2 package, to run in another LMS."""
