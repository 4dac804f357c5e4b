"""Orders of catalogue services paid from a purse: holds, delivery, payment."""
