"""Your account: password, two-factor authentication and the login's code step."""
