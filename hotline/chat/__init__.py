"""The live hotline chat: conversations, ordered messages, reports from the chat, presence."""
