"""Customer organisations, the metric registry and metric values."""
