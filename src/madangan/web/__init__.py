"""The web shell: FastAPI, Jinja2 templates, htmx; assets vendored in static/vendor."""
