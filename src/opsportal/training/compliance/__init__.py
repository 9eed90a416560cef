"""Training as compliance: assignments, their derived status, reports, reminders, the metric."""
