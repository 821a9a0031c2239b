"""Action plans, actions, milestones, quarterly updates and indicators."""
