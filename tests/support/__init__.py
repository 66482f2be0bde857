"""Test helpers shared across test packages (local stand-ins for external services)."""
