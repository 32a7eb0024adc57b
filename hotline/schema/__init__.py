"""GraphQL schema of the hotline chat: conversations, messages, presence and urgent reports."""
