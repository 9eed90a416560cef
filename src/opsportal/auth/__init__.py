"""Identity: users, API tokens, passwords and the dependencies that check them."""
