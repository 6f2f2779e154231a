/// VaultClient: placeholder until its first file lands.
