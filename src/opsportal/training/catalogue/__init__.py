"""The catalogue: tracks, courses and quizzes, who may see them, and authoring them."""
