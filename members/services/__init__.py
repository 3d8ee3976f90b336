"""Multi-step writes of the members app. Views and the admin call these, never the models directly."""
