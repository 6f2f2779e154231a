/// Web: placeholder until its first file lands.
