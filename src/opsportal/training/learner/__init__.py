"""The learner's way through a track: the catalogue with progress, courses read, quizzes taken."""
