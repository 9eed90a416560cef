"""Personal data: its registry, a person's export and erasure, and retention."""
