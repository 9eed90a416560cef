"""The metric registry and metric values: validation and all-or-nothing ingestion."""
