"""sources stage of the ixpready pipeline."""
