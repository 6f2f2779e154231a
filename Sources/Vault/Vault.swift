/// Vault: placeholder until its first file lands.
