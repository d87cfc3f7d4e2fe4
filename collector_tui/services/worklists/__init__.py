"""Who works what next: the call queue, priority, reassignment, and the team's results."""
