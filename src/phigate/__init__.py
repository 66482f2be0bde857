"""phigate: an identity-aware gateway between AI agents and systems that hold PHI."""

__version__ = "0.1.0"
