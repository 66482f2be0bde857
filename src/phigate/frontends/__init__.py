"""Front doors: thin adapters that turn their protocol's input into an Action."""
