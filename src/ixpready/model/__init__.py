"""model stage of the ixpready pipeline."""
