"""measurements stage of the ixpready pipeline."""
