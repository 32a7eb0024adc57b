"""GraphQL plumbing shared by every app: the typed context, permissions, security rules, ids."""
