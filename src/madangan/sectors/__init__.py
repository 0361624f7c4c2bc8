"""Built-in sectors. Each registers itself through the same hook a regency's own sector would use."""
