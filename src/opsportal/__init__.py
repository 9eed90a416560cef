"""opsportal: peer benchmarks and training certification for the operations team."""

__version__ = "0.1.0"
