"""The views the app switches between with the number keys."""
