"""GraphQL schema of the switchboard: the public routing guide."""
