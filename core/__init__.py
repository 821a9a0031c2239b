"""What every app shares, and nothing app-specific: optimistic locking (`Versioned`),
tables people upload and download, staged uploads, charts, history as people read it,
the portal-wide pages (health check, accessibility statement, charts), the admin site,
and the project-wide `load_demo` command, which finds each app's demo loader by name.

Imports run one way: core ← accounts ← priorities ← actionplans ← consultations, reports.
Nothing here imports an app of the portal.
"""
