"""The portal's GraphQL edge: the root schema, the HTTP view and the WebSocket consumer."""
