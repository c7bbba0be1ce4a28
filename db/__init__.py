"""The database: schema and migrations, loading runs from the raw archive, derived tables."""
