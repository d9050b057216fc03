"""CLI sub-commands: option parsing and printing only."""
