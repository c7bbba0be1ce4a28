"""Item pipelines, one job each, ordered in settings.ITEM_PIPELINES."""
