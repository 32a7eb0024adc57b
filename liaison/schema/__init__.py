"""GraphQL schema of the liaison app: organizations, viewer and legal requests."""
