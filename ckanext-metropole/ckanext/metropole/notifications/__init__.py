"""Follow and notifications: subscriptions to datasets, organisations,
themes, calls and saved searches; notices by email (immediate or daily
digest, kept in an outbox when no SMTP is configured) or signed webhook."""
