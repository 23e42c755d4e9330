"""enrichment stage of the ixpready pipeline."""
