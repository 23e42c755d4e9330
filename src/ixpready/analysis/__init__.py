"""analysis stage of the ixpready pipeline."""
