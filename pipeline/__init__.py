"""gene2vec-dash offline pipeline: GEO co-expression -> gene2vec embedding -> bundle for the app."""
