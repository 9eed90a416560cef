"""In-app notifications, the mail outbox and its sender."""
