"""Running opsportal: readiness, the Prometheus endpoint, backups and restores."""
