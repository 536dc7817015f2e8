"""API views, one module per resource; edugov/api/urls.py wires them under /api/v1/."""
