/// VaultPortal: placeholder until its first file lands.
