"""The staff case tool: one page per case (a switchboard ticket with its legal request and the
request's hotline conversation), the queue and the dashboard, inside the staff admin."""
