"""The switchboard: routing rules, legal clocks, tickets, escalation, the sweep and the guide."""
