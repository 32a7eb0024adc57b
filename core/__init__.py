"""The ground floor: delivery (the outbox), broadcast, rate limits, health, HTTP, GraphQL.

Nothing here knows the domain; every app above builds on it.
"""
