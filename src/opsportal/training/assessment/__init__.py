"""Assessment: quiz attempts under their policy, grading, progress, item statistics, regrades."""
