"""Pure rules of identity: permissions, positions, logins, lockout."""
