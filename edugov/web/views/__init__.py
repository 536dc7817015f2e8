"""Server-rendered pages. Views stay thin: they check access, read the selected year, call edugov.web.queries /
quality / auditlog or the import engine, and render. HTMX requests get the fragment, others the whole page."""
