"""report stage of the ixpready pipeline."""
