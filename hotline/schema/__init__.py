"""GraphQL schema of the hotline app: the public routing guide."""
