"""Outbox handlers of the hotline app (the switchboard consumes `legal_request.submitted`)."""
