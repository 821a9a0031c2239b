"""The board side: dashboards and the quarterly performance report."""
