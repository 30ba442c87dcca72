"""The push API: upstream systems send us orders (django-ninja, its own instance and OpenAPI document)."""
