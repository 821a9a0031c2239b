"""Reserved for the next issue; see DESIGN.md."""
