"""Files in and out: placements applied, the day's exports, and every file the program writes."""
