"""Contact compliance: who may be called now, which actions may be taken, and why not."""
