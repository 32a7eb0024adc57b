"""The GraphQL layer shared by the apps: context, permissions, hardening, views and root schema."""
