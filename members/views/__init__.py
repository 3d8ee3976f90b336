"""Members' pages: accounts, dashboard, input papers, guiding questions."""
